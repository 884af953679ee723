// `trainer:` of a spec file: the built-in trainer, the user's own command, or external.
#include "absl/strings/str_cat.h"
#include "common/util/status_macros.h"
#include "search/spec_file.h"
#include "search/spec_yaml.h"

namespace hpsearch::client::spec_yaml {

namespace {

absl::StatusOr<double> Seconds(const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) return Err(path, "must be a duration (e.g. 20m, 90s)", n);
  auto d = ParseDuration(n.Scalar());
  if (!d.ok()) return Err(path, std::string(d.status().message()), n);
  return *d;
}

absl::Status ParseCommand(const YAML::Node& n, CommandSpec& c) {
  if (n.IsScalar()) {
    return Err("trainer.command",
               "must be a list of arguments, e.g. [python3, train.py, --lr, \"{lr}\"] (never a shell string)", n);
  }
  if (!n.IsSequence() || n.size() == 0) return Err("trainer.command", "must be a non-empty list of arguments", n);
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string path = absl::StrCat("trainer.command[", i, "]");
    if (!n[i].IsScalar()) return Err(path, "must be a string (one argument)", n[i]);
    c.argv.push_back(n[i].Scalar());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseTrainer(const YAML::Node& n, search::Trainer& t) {
  if (n.IsScalar()) {
    if (n.Scalar() == "builtin") return absl::OkStatus();
    if (n.Scalar() == "external") {
      t.kind = search::Trainer::Kind::kExternal;
      return absl::OkStatus();
    }
    return Err("trainer", "must be `builtin`, `external` (ask and tell) or a mapping with `command`", n);
  }
  if (auto st = CheckKeys(n, "trainer", {"command", "timeout", "grace", "env", "slots"}); !st.ok()) return st;
  if (!n["command"].IsDefined()) return Err("trainer.command", "is required (the program that runs a trial)", n);
  t.kind = search::Trainer::Kind::kCommand;
  CommandSpec& c = t.command;
  if (auto st = ParseCommand(n["command"], c); !st.ok()) return st;
  if (n["timeout"].IsDefined()) {
    ASSIGN_OR_RETURN(c.timeout_seconds, Seconds(n["timeout"], "trainer.timeout"));
  }
  if (n["grace"].IsDefined()) {
    ASSIGN_OR_RETURN(c.grace_seconds, Seconds(n["grace"], "trainer.grace"));
  }
  if (n["slots"].IsDefined()) {
    ASSIGN_OR_RETURN(c.slots, Int32(n["slots"], "trainer.slots"));
  }
  if (n["env"].IsDefined()) {
    const YAML::Node& env = n["env"];
    if (!env.IsMap())
      return Err("trainer.env", "must map variable names to values, e.g. {OMP_NUM_THREADS: \"1\"}", env);
    for (const auto& kv : env) {
      const std::string name = kv.first.as<std::string>();
      if (!kv.second.IsScalar()) return Err("trainer.env." + name, "must be a string", kv.second);
      c.env[name] = kv.second.Scalar();
    }
  }
  return absl::OkStatus();
}

}  // namespace hpsearch::client::spec_yaml
