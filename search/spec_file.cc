#include "search/spec_file.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/util/did_you_mean.h"
#include "common/util/printable.h"
#include "common/util/status_macros.h"
#include "common/vocabulary/settings.h"
#include "common/yaml/yaml_value.h"
#include "search/spec_yaml.h"
#include "search/typed_spec.h"

namespace hpsearch::client {

using search::Goal;
using search::Method;
using search::Parameter;
using search::Scale;
using search::Spec;

using namespace spec_yaml;  // NOLINT(build/namespaces): the reader's own field helpers

namespace {

absl::Status ParseDataset(const YAML::Node& n, vocabulary::DatasetOptions& d) {
  const std::string p = "dataset";
  if (n.IsScalar()) {  // `dataset: iris`
    d.name = n.Scalar();
    return absl::OkStatus();
  }
  if (auto st = CheckKeys(
          n, p,
          {"name", "validation", "path", "target", "task", "samples", "noise", "classes", "seed", "features", "test"});
      !st.ok())
    return st;
  for (const auto& kv : n) {
    const std::string k = kv.first.as<std::string>(), path = Sub(p, k);
    const YAML::Node& v = kv.second;
    if (k == "name") {
      ASSIGN_OR_RETURN(auto s, Str(v, path));
      d.name = s;
    } else if (k == "path") {
      ASSIGN_OR_RETURN(auto s, Str(v, path));
      d.path = s;
    } else if (k == "target") {
      ASSIGN_OR_RETURN(auto s, Str(v, path));
      d.target = s;
    } else if (k == "task") {
      ASSIGN_OR_RETURN(auto s, Str(v, path));
      d.task = s;
    } else if (k == "validation") {
      ASSIGN_OR_RETURN(auto x, Num(v, path));
      d.validation = x;
    } else if (k == "test") {
      ASSIGN_OR_RETURN(auto x, Num(v, path));
      d.test = x;
    } else if (k == "noise") {
      ASSIGN_OR_RETURN(auto x, Num(v, path));
      d.noise = x;
    } else if (k == "samples") {
      ASSIGN_OR_RETURN(auto x, Int(v, path));
      d.samples = x;
    } else if (k == "classes") {
      ASSIGN_OR_RETURN(auto x, Int(v, path));
      d.classes = static_cast<int>(x);
    } else if (k == "features") {
      ASSIGN_OR_RETURN(auto x, Int(v, path));
      d.features = static_cast<int>(x);
    } else if (k == "seed") {
      ASSIGN_OR_RETURN(auto x, Int(v, path));
      if (x < 0) return Err(path, "must be >= 0", v);
      d.seed = static_cast<uint64_t>(x);
    }
  }
  return absl::OkStatus();
}

// How a field is written here, for the keys other tools use at the top of a spec
// (Optuna's create_study/optimize arguments, W&B Sweeps' config); "" for any other.
std::string ForeignTopKey(const std::string& key) {
  if (key == "n_trials") return "is `budget.max_trials` here (Optuna's n_trials): `budget: {max_trials: 100}`";
  if (key == "timeout") return "is `budget.max_duration` here (Optuna's timeout): `budget: {max_duration: 2h}`";
  if (key == "direction") {
    return "is `objective.goal` here (Optuna's direction): `objective: {metric: val_loss, goal: minimize}`";
  }
  if (key == "directions") {
    return "is a list of objectives here (Optuna's directions): "
           "`objective: [{metric: loss, goal: minimize}, {metric: accuracy, goal: maximize}]`";
  }
  if (key == "sampler") return "is `method` here (Optuna's sampler): grid, random, tpe or nsga2";
  if (key == "pruner") return "is `pruning` here (Optuna's pruner): `pruning: {method: asha}` (or median, hyperband)";
  if (key == "study_name") return "is `name` here (Optuna's study_name)";
  if (key == "metric") {
    return "is `objective` here (W&B's metric): `objective: {metric: val_loss, goal: minimize}`";
  }
  return "";
}

// The same inside an objective.
std::string ForeignObjectiveKey(const std::string& key) {
  if (key == "direction") return "is `goal` here (Optuna's direction): minimize or maximize";
  if (key == "name") return "is `metric` here (W&B's metric.name): `{metric: val_loss, goal: minimize}`";
  return "";
}

// One objective; `at` is its path ("objective", or "objective[1]" in a list).
absl::Status ParseObjective(const YAML::Node& n, const std::string& at, search::Objective& o) {
  if (auto st = CheckForeignKeys(n, at, ForeignObjectiveKey); !st.ok()) return st;
  if (auto st = CheckKeys(n, at, {"metric", "goal", "target"}); !st.ok()) return st;
  for (const auto& kv : n) {
    const std::string k = kv.first.as<std::string>(), path = Sub(at, k);
    if (k == "metric") {
      ASSIGN_OR_RETURN(auto s, Str(kv.second, path));
      o.metric = s;
    } else if (k == "target") {
      ASSIGN_OR_RETURN(auto x, Num(kv.second, path));
      o.target = x;
    } else if (k == "goal") {
      if (auto v = YamlToValue(kv.second); v.ok() && v->is_number())
        return Err(path, "must be minimize or maximize, not a number (did you mean `target`?)", kv.second);
      ASSIGN_OR_RETURN(auto s, Str(kv.second, path));
      if (s == "minimize" || s == "min")
        o.goal = Goal::kMinimize;
      else if (s == "maximize" || s == "max")
        o.goal = Goal::kMaximize;
      else
        return Err(path, "must be minimize or maximize" + DidYouMean(s, {"minimize", "maximize"}), kv.second);
    }
  }
  return absl::OkStatus();
}

// `objective:` one mapping, or a list of them (a multi-objective sweep).
absl::Status ParseObjectives(const YAML::Node& n, Spec& spec) {
  if (!n.IsSequence()) return ParseObjective(n, "objective", spec.objective);
  if (n.size() == 0) return Err("objective", "must name at least one objective", n);
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string at = absl::StrCat("objective[", i, "]");
    if (!n[i].IsMap()) return Err(at, "must be a mapping, e.g. {metric: val_accuracy, goal: maximize}", n[i]);
    search::Objective o;
    if (auto st = ParseObjective(n[i], at, o); !st.ok()) return st;
    if (i == 0) {
      spec.objective = std::move(o);
    } else {
      spec.other_objectives.push_back(std::move(o));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseBudget(const YAML::Node& n, search::Budget& b) {
  if (auto st = CheckKeys(n, "budget", {"max_trials", "max_failed", "max_duration"}); !st.ok()) return st;
  for (const auto& kv : n) {
    const std::string k = kv.first.as<std::string>(), path = Sub("budget", k);
    if (k == "max_trials") {
      ASSIGN_OR_RETURN(auto x, Int(kv.second, path));
      // 0 would read as not set (the method's default), not as no trials.
      if (x < 1) {
        return Err(path, "must be at least 1 (leave it out for the default: the whole grid, or 20 random trials)",
                   kv.second);
      }
      b.max_trials = x;
    } else if (k == "max_failed") {
      ASSIGN_OR_RETURN(auto x, Int(kv.second, path));
      b.max_failed = x;
    } else if (k == "max_duration") {
      ASSIGN_OR_RETURN(auto s, Str(kv.second, path));
      auto d = ParseDuration(s);
      if (!d.ok()) return Err(path, std::string(d.status().message()), kv.second);
      b.max_duration_seconds = *d;
    }
  }
  return absl::OkStatus();
}

absl::Status ParseTpe(const YAML::Node& n, search::TpeOptions& t) {
  if (auto st = CheckKeys(n, "tpe", {"startup_trials", "candidates", "multivariate", "constant_liar"}); !st.ok())
    return st;
  for (const auto& kv : n) {
    const std::string k = kv.first.as<std::string>(), path = Sub("tpe", k);
    if (k == "startup_trials") {
      ASSIGN_OR_RETURN(t.startup_trials, Int32(kv.second, path));
    } else if (k == "candidates") {
      ASSIGN_OR_RETURN(t.candidates, Int32(kv.second, path));
    } else if (k == "multivariate") {
      ASSIGN_OR_RETURN(t.multivariate, Bool(kv.second, path));
    } else if (k == "constant_liar") {
      ASSIGN_OR_RETURN(t.constant_liar, Bool(kv.second, path));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseNsga2(const YAML::Node& n, search::Nsga2Options& g) {
  if (auto st = CheckKeys(n, "nsga2", {"population", "crossover_prob", "swapping_prob", "mutation_prob"}); !st.ok())
    return st;
  for (const auto& kv : n) {
    const std::string k = kv.first.as<std::string>(), path = Sub("nsga2", k);
    if (k == "population") {
      ASSIGN_OR_RETURN(g.population, Int32(kv.second, path));
    } else if (k == "crossover_prob") {
      ASSIGN_OR_RETURN(g.crossover_prob, Num(kv.second, path));
    } else if (k == "swapping_prob") {
      ASSIGN_OR_RETURN(g.swapping_prob, Num(kv.second, path));
    } else if (k == "mutation_prob") {
      ASSIGN_OR_RETURN(auto x, Num(kv.second, path));
      g.mutation_prob = x;
    }
  }
  return absl::OkStatus();
}

absl::Status ParsePruning(const YAML::Node& n, search::Pruning& p) {
  using search::PruningMethod;
  if (n.IsScalar()) return Err("pruning", "must be a mapping, e.g. {method: asha}", n);
  if (!n.IsMap()) return Err("pruning", "must be a mapping", n);
  const YAML::Node m = n["method"];
  if (!m.IsDefined()) return Err("pruning.method", "is required: median, asha or hyperband", n);
  ASSIGN_OR_RETURN(auto name, Str(m, "pruning.method"));
  std::vector<std::string> keys = {"method"};
  if (name == "median") {
    p.method = PruningMethod::kMedian;
    keys.insert(keys.end(), {"startup_trials", "warmup_epochs", "interval"});
  } else if (name == "asha" || name == "hyperband") {
    p.method = name == "asha" ? PruningMethod::kAsha : PruningMethod::kHyperband;
    keys.insert(keys.end(), {"min_epochs", "reduction_factor"});
  } else if (name == "none") {
    p.method = PruningMethod::kNone;
  } else {
    return Err("pruning.method",
               "must be median, asha, hyperband or none" + DidYouMean(name, {"median", "asha", "hyperband", "none"}),
               m);
  }
  for (const auto& kv : n) {
    const std::string key = kv.first.as<std::string>();
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    static const std::vector<std::string> kAll = {"method",   "startup_trials", "warmup_epochs",
                                                  "interval", "min_epochs",     "reduction_factor"};
    if (std::find(kAll.begin(), kAll.end(), key) != kAll.end())
      return Err(Sub("pruning", key), absl::StrCat("does not apply to method ", name), kv.first);
    return Err(Sub("pruning", key), "unknown key" + DidYouMean(key, keys), kv.first);
  }
  for (const auto& kv : n) {
    const std::string k = kv.first.as<std::string>(), path = Sub("pruning", k);
    if (k == "min_epochs") {
      ASSIGN_OR_RETURN(p.min_epochs, Int32(kv.second, path));
    } else if (k == "reduction_factor") {
      ASSIGN_OR_RETURN(p.reduction_factor, Int32(kv.second, path));
    } else if (k == "startup_trials") {
      ASSIGN_OR_RETURN(p.startup_trials, Int32(kv.second, path));
    } else if (k == "warmup_epochs") {
      ASSIGN_OR_RETURN(p.warmup_epochs, Int32(kv.second, path));
    } else if (k == "interval") {
      ASSIGN_OR_RETURN(p.interval, Int32(kv.second, path));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<double> ParseDuration(const std::string& text) {
  if (text.empty()) return absl::InvalidArgumentError("empty duration");
  double total = 0, number = 0;
  bool have_number = false, any_unit = false;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t used = 0;
    try {
      number = std::stod(text.substr(i), &used);
    } catch (...) {
      return absl::InvalidArgumentError(absl::StrCat("bad duration ", Quoted(text), " (use e.g. 90s, 30m, 2h, 1h30m)"));
    }
    i += used;
    have_number = true;
    if (i == text.size()) break;
    const char u = text[i++];
    const double scale = u == 's' ? 1 : u == 'm' ? 60 : u == 'h' ? 3600 : u == 'd' ? 86400 : -1;
    if (scale < 0)
      return absl::InvalidArgumentError(
          absl::StrCat("bad duration unit ", Quoted(std::string(1, u)), " in ", Quoted(text), " (s, m, h, d)"));
    total += number * scale;
    any_unit = true;
    have_number = false;
  }
  if (have_number) {
    if (any_unit)
      return absl::InvalidArgumentError(absl::StrCat("bad duration ", Quoted(text), ": number without unit"));
    total += number;
  }
  if (!std::isfinite(total) || total < 0) return absl::InvalidArgumentError("duration must be >= 0");
  return total;
}

namespace {

// A trial file (hpsearch-worker train --config) given where a spec belongs: its
// top-level keys are trainer settings. Said as such, with what to do instead of a
// bare "unknown key".
absl::Status TrialFileShape(const YAML::Node& n) {
  std::vector<std::string> settings;
  for (const auto& kv : n) {
    const std::string k = kv.first.as<std::string>();
    if (k == "parameters" || k == "fixed") return absl::OkStatus();
    if (vocabulary::FindParam(k)) settings.push_back(k);
  }
  if (settings.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "this looks like a trial file (one configuration: ", absl::StrJoin(settings, ", "),
      "), not a sweep spec: train it with `hpsearch-worker train --config FILE`, or make it a sweep by moving "
      "those settings under `fixed:` and the ones to search under `parameters:` (docs/spec.md)"));
}

}  // namespace

namespace {

absl::StatusOr<Method> ParseMethod(const YAML::Node& v) {
  ASSIGN_OR_RETURN(auto s, Str(v, "method"));
  if (s == "grid") return Method::kGrid;
  if (s == "random") return Method::kRandom;
  if (s == "tpe") return Method::kTpe;
  if (s == "nsga2" || s == "nsga-ii" || s == "nsgaii") return Method::kNsga2;
  return Err("method", "must be grid, random, tpe or nsga2" + DidYouMean(s, {"grid", "random", "tpe", "nsga2"}), v);
}

absl::Status ParseLabels(const YAML::Node& v, std::map<std::string, std::string>& labels) {
  if (!v.IsMap()) return Err("labels", "must be a mapping of names to values, e.g. {team: vision}", v);
  for (const auto& l : v) {
    ASSIGN_OR_RETURN(auto value, Str(l.second, "labels." + l.first.as<std::string>()));
    labels[l.first.as<std::string>()] = value;
  }
  return absl::OkStatus();
}

absl::Status ParseParallelism(const YAML::Node& v, int32_t& max_concurrent) {
  if (auto st = CheckKeys(v, "parallelism", {"max_concurrent"}); !st.ok()) return st;
  if (v["max_concurrent"].IsDefined()) {
    ASSIGN_OR_RETURN(auto x, Int(v["max_concurrent"], "parallelism.max_concurrent"));
    if (x < 0 || x > 1'000'000) {
      return Err("parallelism.max_concurrent", "must be 0 (no cap of its own) to 1000000", v["max_concurrent"]);
    }
    max_concurrent = static_cast<int32_t>(x);
  }
  return absl::OkStatus();
}

absl::Status ParseFixed(const YAML::Node& v, Params& fixed) {
  if (!v.IsMap()) return Err("fixed", "must be a mapping of trainer settings", v);
  for (const auto& f : v) {
    const std::string name = f.first.as<std::string>();
    ASSIGN_OR_RETURN(auto value, Val(f.second, "fixed." + name));
    fixed[name] = std::move(value);
  }
  return absl::OkStatus();
}

// `integral`: the indices of ranges written with integer bounds and no `type`.
absl::Status ParseParameters(const YAML::Node& v, std::vector<Parameter>& parameters,
                             std::vector<std::size_t>& integral) {
  if (!v.IsMap()) return Err("parameters", "must map parameter names to their domains", v);
  for (const auto& p : v) {
    Parameter parameter;
    bool is_integral = false;
    if (auto st = ParseParameter(p.first.as<std::string>(), p.second, parameter, &is_integral); !st.ok()) return st;
    if (is_integral) integral.push_back(parameters.size());
    parameters.push_back(std::move(parameter));
  }
  return absl::OkStatus();
}

// One top-level field `k` of the spec (its keys are checked already).
absl::Status ParseField(const std::string& k, const YAML::Node& v, Spec& spec, std::vector<std::size_t>& integral) {
  if (k == "name") {
    ASSIGN_OR_RETURN(spec.name, Str(v, k));
  } else if (k == "trainer") {
    return ParseTrainer(v, spec.trainer);
  } else if (k == "dataset") {
    return ParseDataset(v, spec.dataset);
  } else if (k == "objective") {
    return ParseObjectives(v, spec);
  } else if (k == "budget") {
    return ParseBudget(v, spec.budget);
  } else if (k == "method") {
    ASSIGN_OR_RETURN(spec.method, ParseMethod(v));
  } else if (k == "tpe") {
    return ParseTpe(v, spec.tpe);
  } else if (k == "nsga2") {
    return ParseNsga2(v, spec.nsga2);
  } else if (k == "pruning") {
    return ParsePruning(v, spec.pruning);
  } else if (k == "labels") {
    return ParseLabels(v, spec.labels);
  } else if (k == "seed") {
    ASSIGN_OR_RETURN(auto x, Int(v, k));
    if (x < 0) return Err(k, "must be >= 0", v);
    spec.seed = static_cast<uint64_t>(x);
  } else if (k == "parallelism") {
    return ParseParallelism(v, spec.max_concurrent);
  } else if (k == "fixed") {
    return ParseFixed(v, spec.fixed);
  } else if (k == "parameters") {
    return ParseParameters(v, spec.parameters, integral);
  }
  return absl::OkStatus();
}

absl::StatusOr<Spec> ReadSpec(const std::string& text) {
  auto root = ParseYaml(text, "spec");
  if (!root.ok()) return root.status();
  const YAML::Node& n = *root;
  if (!n.IsMap()) {
    return absl::InvalidArgumentError("spec: must be a mapping of fields (name, dataset, parameters, ...)");
  }
  if (auto st = TrialFileShape(n); !st.ok()) return st;
  if (auto st = CheckForeignKeys(n, "", ForeignTopKey); !st.ok()) return st;
  if (auto st = CheckKeys(n, "",
                          {"name", "trainer", "dataset", "objective", "method", "seed", "budget", "parallelism",
                           "fixed", "parameters", "tpe", "nsga2", "pruning", "labels"});
      !st.ok()) {
    return st;
  }
  Spec spec;
  std::vector<std::size_t> integral;
  for (const auto& kv : n) {
    if (auto st = ParseField(kv.first.as<std::string>(), kv.second, spec, integral); !st.ok()) return st;
  }
  if (n["tpe"].IsDefined() && spec.method != Method::kTpe) return Err("tpe", "applies only to method: tpe", n["tpe"]);
  if (n["nsga2"].IsDefined() && spec.method != Method::kNsga2)
    return Err("nsga2", "applies only to method: nsga2", n["nsga2"]);
  // A command's parameters are typed by how their range is written (the built-in
  // trainer's by its vocabulary): `{min: 16, max: 512}` is an integer range.
  if (!spec.trainer.builtin()) {
    for (std::size_t i : integral) spec.parameters[i].range.integer = true;
  }
  return search::Typed(std::move(spec));
}

}  // namespace

absl::StatusOr<Spec> ParseSpecYaml(const std::string& text) {
  auto spec = ReadSpec(text);
  if (!spec.ok()) return PrintableStatus(spec.status());  // messages quote the file
  return spec;
}

absl::StatusOr<Spec> LoadSpecFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open file: ", std::strerror(errno)));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseSpecYaml(ss.str());
}

}  // namespace hpsearch::client
