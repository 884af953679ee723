#include "search/command_spec.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/protocol/report_checks.h"
#include "common/util/did_you_mean.h"
#include "common/util/printable.h"
#include "common/util/status_macros.h"
#include "common/vocabulary/foreign_names.h"
#include "search/objective_checks.h"

namespace hpsearch::search {

namespace {

absl::Status Bad(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

constexpr int kMaxArguments = 1024;
constexpr std::size_t kMaxArgumentBytes = 4096;
constexpr int kMaxEnv = 256;
constexpr int kMaxSlots = 64;

// For a name that is not one (`learning rate`, `batch-size`): the name it could be,
// every other character an underscore, when that is one.
std::string NameHint(const std::string& name) {
  std::string fixed = name;
  for (char& c : fixed) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  return fixed != name && CommandName(fixed) ? absl::StrCat(" (did you mean '", fixed, "'?)") : "";
}

// What {name} may have meant: a name of this spec that another tool's name stands for
// (`{learning_rate}` with `lr` defined), the closest name, else every name it may use.
std::string PlaceholderHint(const std::string& name, const std::vector<std::string>& known) {
  const std::string native = vocabulary::NativeSettingName(name);
  if (!native.empty() && std::find(known.begin(), known.end(), native) != known.end()) {
    return absl::StrCat(" (did you mean '", native, "'?)");
  }
  if (std::string hint = DidYouMean(name, known); !hint.empty()) return hint;
  std::vector<std::string> own(known.begin() + std::size(kRunnerPlaceholders), known.end());
  return absl::StrCat(" (", own.empty() ? "it defines none" : "it defines " + absl::StrJoin(own, ", "),
                      "; the runner fills {", absl::StrJoin(kRunnerPlaceholders, "}, {"), "})");
}

absl::Status CheckArguments(const CommandSpec& c, const Spec& spec) {
  if (c.argv.empty()) return Bad("trainer.command", "must name the program to run");
  if (c.argv.size() > kMaxArguments)
    return Bad("trainer.command", absl::StrCat("at most ", kMaxArguments, " arguments"));
  std::vector<std::string> known(std::begin(kRunnerPlaceholders), std::end(kRunnerPlaceholders));
  for (const auto& p : spec.parameters) known.push_back(p.name);
  for (const auto& [k, v] : spec.fixed) known.push_back(k);
  const std::set<std::string> names(known.begin(), known.end());
  for (std::size_t i = 0; i < c.argv.size(); ++i) {
    const std::string path = absl::StrCat("trainer.command[", i, "]");
    if (c.argv[i].size() > kMaxArgumentBytes) {
      return Bad(path, absl::StrCat("an argument is at most ", kMaxArgumentBytes, " bytes"));
    }
    if (c.argv[i].find('\0') != std::string::npos) return Bad(path, "must not hold a NUL character");
    auto placeholders = Placeholders(c.argv[i]);
    if (!placeholders.ok()) return Bad(path, std::string(placeholders.status().message()));
    for (const auto& name : *placeholders) {
      if (!names.contains(name)) {
        return Bad(path, absl::StrCat("{", name, "} is not a parameter or fixed setting of this spec",
                                      PlaceholderHint(name, known)));
      }
    }
  }
  if (c.argv[0].empty()) return Bad("trainer.command[0]", "must name the program to run");
  return absl::OkStatus();
}

absl::Status CheckLimits(const CommandSpec& c) {
  if (!std::isfinite(c.timeout_seconds) || c.timeout_seconds < 0) return Bad("trainer.timeout", "must be >= 0");
  if (!std::isfinite(c.grace_seconds) || c.grace_seconds < 0 || c.grace_seconds > 3600) {
    return Bad("trainer.grace", "must be between 0 and 1h");
  }
  if (c.slots < 1 || c.slots > kMaxSlots) return Bad("trainer.slots", absl::StrCat("must be in 1..", kMaxSlots));
  if (c.env.size() > kMaxEnv) return Bad("trainer.env", absl::StrCat("at most ", kMaxEnv, " variables"));
  for (const auto& [name, value] : c.env) {
    bool ok = CommandName(name);
    if (!ok) return Bad("trainer.env." + Printable(name), "a variable name is letters, digits and _");
    if (name.rfind("HPSEARCH_", 0) == 0) {
      return Bad("trainer.env." + name, "HPSEARCH_ variables are set by the runner");
    }
    if (value.size() > kMaxArgumentBytes || value.find('\0') != std::string::npos) {
      return Bad("trainer.env." + name, absl::StrCat("a value is at most ", kMaxArgumentBytes, " bytes, without NUL"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool CommandName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  const auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!start(name[0])) return false;
  for (char c : name) {
    if (!start(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

absl::Status CheckCommandTrainer(const Spec& spec) {
  const bool command = spec.trainer.runs_command();
  const std::string with = command ? "with trainer.command" : "with trainer: external";
  if (command) RETURN_IF_ERROR(CheckLimits(spec.trainer.command));
  if (!spec.dataset.name.empty()) {
    return Bad("dataset", absl::StrCat("the program loads its own data ", with, "; pass a path as a fixed setting"));
  }
  RETURN_IF_ERROR(CheckObjectives(spec));
  for (const auto& [name, value] : spec.fixed) {
    if (!CommandName(name)) {
      return Bad("fixed." + Printable(name),
                 "a name is letters, digits and _, not starting with a digit (at most 64)" + NameHint(name));
    }
  }
  for (const auto& p : spec.parameters) {
    if (!CommandName(p.name)) {
      return Bad("parameters." + Printable(p.name),
                 "a name is letters, digits and _, not starting with a digit (at most 64)" + NameHint(p.name));
    }
  }
  return command ? CheckArguments(spec.trainer.command, spec) : absl::OkStatus();
}

}  // namespace hpsearch::search
