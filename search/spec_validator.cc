#include "search/spec_validator.h"

#include "search/conditions.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/util/did_you_mean.h"
#include "common/util/printable.h"
#include "common/util/status_macros.h"
#include "common/vocabulary/conv_stack.h"
#include "common/vocabulary/datasets.h"
#include "common/vocabulary/foreign_names.h"
#include "common/vocabulary/metrics.h"
#include "common/vocabulary/network_size.h"
#include "common/vocabulary/setting_scope.h"
#include "common/vocabulary/settings.h"
#include "search/command_spec.h"
#include "search/grid_strategy.h"
#include "search/network_checks.h"
#include "search/objective_checks.h"
#include "search/search_space.h"
#include "search/sweep_names.h"

namespace hpsearch::search {

namespace {

using vocabulary::ParamInfo;
using vocabulary::ParamType;

absl::Status Bad(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

absl::Status CheckRange(const Parameter& p, const ParamInfo* info, const Spec& spec) {
  const std::string path = "parameters." + p.name;
  const Range& r = p.range;
  if (!std::isfinite(r.min)) return Bad(path + ".min", "must be a finite number");
  if (!std::isfinite(r.max)) return Bad(path + ".max", "must be a finite number");
  if (r.min > r.max) return Bad(path + ".min", absl::StrCat("must be <= max (", r.min, " > ", r.max, ")"));
  if (r.scale == Scale::kLog && r.min <= 0) return Bad(path + ".min", "must be > 0 with scale: log");
  const bool integer = r.integer;
  if (integer && (r.min != std::floor(r.min) || r.max != std::floor(r.max)))
    return Bad(path, "type: int needs integer min and max");
  if (r.step) {
    if (!std::isfinite(*r.step) || *r.step <= 0) return Bad(path + ".step", "must be > 0");
    if (integer && *r.step != std::floor(*r.step)) return Bad(path + ".step", "must be an integer with type: int");
    if (r.scale == Scale::kLog)
      return Bad(path + ".step", "cannot be combined with scale: log (use count for log-spaced grids)");
    if ((r.max - r.min) / *r.step > 1e7) return Bad(path + ".step", "yields more than 10,000,000 values");
  }
  if (r.count) {
    if (*r.count < 1) return Bad(path + ".count", "must be >= 1");
    if (*r.count > 1'000'000) return Bad(path + ".count", "must be <= 1,000,000");
    if (r.step) return Bad(path, "give count or step, not both");
    if (integer && r.scale != Scale::kLog && *r.count > r.max - r.min + 1)
      return Bad(path + ".count", absl::StrCat("exceeds the ", r.max - r.min + 1, " integers in [min, max]"));
  }
  if (!integer && (r.count || r.step) && !GridPointsDistinct(r)) {
    return Bad(path + (r.count ? ".count" : ".step"),
               "its points are less than 12 significant digits apart, so some would be the same number");
  }
  if (spec.method == Method::kGrid && !r.count && !r.step && !integer)
    return Bad(path, "a grid needs `count` (evenly spaced points) or `step` for a range");
  if (spec.method == Method::kGrid && integer && !r.count && !r.step && r.max - r.min >= 1e6)
    return Bad(path, "an integer range this wide needs `count` or `step` in a grid");
  if (info != nullptr) {
    if (info->type != ParamType::kInt && info->type != ParamType::kFloat)
      return Bad(path, absl::StrCat("is ", vocabulary::TypeName(info->type), ", give it `values`, not a range"));
    if (info->type == ParamType::kInt && !integer) return Bad(path, "is an integer setting: add `type: int`");
    if (auto st = vocabulary::CheckParamValue(*info, Value(r.min)); !st.ok())
      return Bad(path + ".min", std::string(st.message()));
    if (auto st = vocabulary::CheckParamValue(*info, Value(r.max)); !st.ok())
      return Bad(path + ".max", std::string(st.message()));
  }
  return absl::OkStatus();
}

absl::Status CheckParameter(const Parameter& p, const Spec& spec) {
  const std::string path = "parameters." + p.name;
  // A command's parameters have any name and any value (CheckCommandTrainer).
  const ParamInfo* info = spec.trainer.builtin() ? vocabulary::FindParam(p.name) : nullptr;
  if (info == nullptr && spec.trainer.builtin()) {
    return Bad(path, "unknown trainer setting" + vocabulary::SettingSuggestion(p.name));
  }
  if (spec.fixed.contains(p.name)) return Bad(path, "is also set in `fixed`; keep one");
  switch (p.domain) {
    case Parameter::Domain::kValues: {
      if (p.values.empty()) return Bad(path + ".values", "must not be empty");
      // Each value by what it means: numbers by their value (1 and 1.0 are one), the
      // rest by their text; with where each was first seen.
      std::map<std::string, std::size_t> seen;
      for (std::size_t i = 0; i < p.values.size(); ++i) {
        const Value& v = p.values[i];
        if (info != nullptr) {
          if (auto st = vocabulary::CheckParamValue(*info, v); !st.ok())
            return Bad(absl::StrCat(path, ".values[", i, "]"), std::string(st.message()));
        }
        const Value typed = info != nullptr ? vocabulary::Typed(*info, v) : v;
        const std::string text = typed.ToString();
        const std::string key = typed.is_number() ? absl::StrFormat("number %.17g", typed.number()) : "text " + text;
        if (auto [at, fresh] = seen.emplace(key, i); !fresh) {
          const std::string first = p.values[at->second].ToString();
          return Bad(absl::StrCat(path, ".values[", i, "]"),
                     first == v.ToString() ? absl::StrCat("duplicate value ", text, " (as values[", at->second, "])")
                                           : absl::StrCat("duplicate value ", v.ToString(), " (values[", at->second,
                                                          "] is ", first, ", the same number)"));
        }
      }
      return absl::OkStatus();
    }
    case Parameter::Domain::kConstant:
      if (info == nullptr) return absl::OkStatus();
      if (auto st = vocabulary::CheckParamValue(*info, p.value); !st.ok())
        return Bad(path + ".value", std::string(st.message()));
      return absl::OkStatus();
    case Parameter::Domain::kRange:
      return CheckRange(p, info, spec);
    default:
      return Bad(path, "needs `values`, `min`/`max` or `value`");
  }
}

absl::Status CheckConditions(const Spec& spec) {
  std::map<std::string, const Parameter*> by_name;
  for (const auto& p : spec.parameters) by_name[p.name] = &p;
  std::vector<std::string> names;
  for (const auto& [n, p] : by_name) names.push_back(n);
  for (const auto& p : spec.parameters) {
    for (const auto& c : p.when) {
      const std::string path = absl::StrCat("parameters.", p.name, ".when.", c.parent);
      auto it = by_name.find(c.parent);
      if (it == by_name.end()) return Bad(path, "unknown parameter" + DidYouMean(c.parent, names));
      if (c.parent == p.name) return Bad(path, "a parameter cannot depend on itself");
      if (it->second->domain != Parameter::Domain::kValues)
        return Bad(path, "the parent must be a categorical parameter (`values`)");
      if (c.values.empty()) return Bad(path, "must list at least one value");
      std::set<std::string> allowed;
      for (const auto& v : it->second->values) allowed.insert(v.ToString());
      for (const auto& v : c.values)
        if (!allowed.contains(v.ToString()))
          return Bad(path, absl::StrCat(v.ToString(), " is not one of ", c.parent, "'s values"));
    }
  }
  RETURN_IF_ERROR(CheckConditionCombinations(spec));
  return ConditionOrder(spec).status();  // cycles
}

absl::Status CheckInt(int64_t v, const std::string& path, int64_t lo, int64_t hi) {
  if (v < lo) return Bad(path, absl::StrCat("must be >= ", lo));
  if (v > hi) return Bad(path, absl::StrCat("must be <= ", hi));
  return absl::OkStatus();
}

bool HasEpochs(const Spec& spec) {
  if (spec.fixed.contains("epochs")) return true;
  for (const auto& p : spec.parameters) {
    if (p.name == "epochs") return true;
  }
  return false;
}

absl::Status CheckProbability(double p, const std::string& path) {
  if (!(p >= 0 && p <= 1)) return Bad(path, "must be a probability, 0 to 1");
  return absl::OkStatus();
}

absl::Status CheckNsga2(const Nsga2Options& g) {
  RETURN_IF_ERROR(CheckInt(g.population, "nsga2.population", 2, 100'000));
  RETURN_IF_ERROR(CheckProbability(g.crossover_prob, "nsga2.crossover_prob"));
  RETURN_IF_ERROR(CheckProbability(g.swapping_prob, "nsga2.swapping_prob"));
  if (g.mutation_prob) RETURN_IF_ERROR(CheckProbability(*g.mutation_prob, "nsga2.mutation_prob"));
  return absl::OkStatus();
}

absl::Status CheckSearch(const Spec& spec) {
  if (spec.method == Method::kTpe) {
    RETURN_IF_ERROR(CheckInt(spec.tpe.startup_trials, "tpe.startup_trials", 0, 1'000'000));
    RETURN_IF_ERROR(CheckInt(spec.tpe.candidates, "tpe.candidates", 1, 10'000));
  }
  const Pruning& p = spec.pruning;
  switch (p.method) {
    case PruningMethod::kNone:
      return absl::OkStatus();
    case PruningMethod::kMedian:
      RETURN_IF_ERROR(CheckInt(p.startup_trials, "pruning.startup_trials", 0, 1'000'000));
      RETURN_IF_ERROR(CheckInt(p.warmup_epochs, "pruning.warmup_epochs", 0, 100'000));
      return CheckInt(p.interval, "pruning.interval", 1, 100'000);
    case PruningMethod::kAsha:
    case PruningMethod::kHyperband: {
      if (!spec.trainer.builtin() && !HasEpochs(spec)) {
        return Bad("pruning",
                   absl::StrCat("needs the trials' epochs ",
                                spec.trainer.external() ? "with trainer: external" : "with trainer.command",
                                ": set `epochs` in fixed (or search it), the last epoch your program reports"));
      }
      RETURN_IF_ERROR(CheckInt(p.min_epochs, "pruning.min_epochs", 1, 100'000));
      RETURN_IF_ERROR(CheckInt(p.reduction_factor, "pruning.reduction_factor", 2, 100));
      const int64_t epochs = MaxEpochs(spec);
      if (static_cast<int64_t>(p.min_epochs) * p.reduction_factor > epochs)
        return Bad("pruning.min_epochs",
                   absl::StrCat("a first rung at epoch ", p.min_epochs, " needs trials of at least ",
                                static_cast<int64_t>(p.min_epochs) * p.reduction_factor, " epochs (min_epochs × ",
                                "reduction_factor); these train ", epochs, ", so no trial would ever be judged"));
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string MethodName(Method m) {
  switch (m) {
    case Method::kGrid:
      return "grid";
    case Method::kTpe:
      return "tpe";
    case Method::kNsga2:
      return "nsga2";
    default:
      return "random";
  }
}

int64_t MaxEpochs(const Spec& spec) {
  int64_t most = 0;
  if (auto it = spec.fixed.find("epochs"); it != spec.fixed.end() && it->second.is_number())
    most = static_cast<int64_t>(it->second.number());
  for (const auto& p : spec.parameters) {
    if (p.name != "epochs") continue;
    if (p.domain == Parameter::Domain::kRange) most = std::max(most, static_cast<int64_t>(p.range.max));
    if (p.domain == Parameter::Domain::kConstant && p.value.is_number())
      most = std::max(most, static_cast<int64_t>(p.value.number()));
    for (const auto& v : p.values)
      if (v.is_number()) most = std::max(most, static_cast<int64_t>(v.number()));
  }
  if (most > 0) return most;
  return spec.trainer.builtin() ? kDefaultEpochs : kMaxCommandEpochs;
}

std::string ObjectiveMetric(const Spec& spec) {
  if (!spec.objective.metric.empty()) return spec.objective.metric;
  return vocabulary::DefaultObjective(vocabulary::TaskOf(spec.dataset));
}

bool ObjectiveMaximized(const Spec& spec) {
  if (spec.objective.goal != Goal::kUnspecified) return spec.objective.goal == Goal::kMaximize;
  return vocabulary::MaximizedByDefault(ObjectiveMetric(spec));
}

namespace {

// What the built-in trainer needs of a spec: a dataset, a metric it reports, and
// fixed settings of its vocabulary.
absl::Status CheckBuiltinTrainer(const Spec& spec) {
  if (spec.dataset.name.empty()) return Bad("dataset.name", "is required");
  RETURN_IF_ERROR(vocabulary::ValidateDataset(spec.dataset));
  RETURN_IF_ERROR(CheckObjectives(spec));
  for (const auto& [k, v] : spec.fixed) {
    if (auto st = vocabulary::CheckParam(k, v); !st.ok()) return Bad("fixed." + k, std::string(st.message()));
  }
  return absl::OkStatus();
}

// The values `parent` takes across the spec's trials: fixed, searched (with its
// default where a condition leaves it inactive), or its default.
std::vector<Value> ParentValues(const Spec& spec, const vocabulary::SettingScope& scope) {
  if (auto it = spec.fixed.find(scope.parent); it != spec.fixed.end()) return {it->second};
  for (const auto& p : spec.parameters) {
    if (p.name != scope.parent) continue;
    std::vector<Value> values;
    if (p.domain == Parameter::Domain::kValues) values = p.values;
    if (p.domain == Parameter::Domain::kConstant) values = {p.value};
    if (!p.when.empty()) values.push_back(scope.parent_default);
    return values;
  }
  return {scope.parent_default};
}

std::string ValueText(const Value& v) { return v.is_string() ? v.as_string() : v.ToString(); }

std::string ValuesText(const std::vector<Value>& values) {
  std::vector<std::string> text;
  for (const auto& v : values) text.push_back(ValueText(v));
  return absl::StrJoin(text, ", ");
}

bool Applies(const vocabulary::SettingScope& scope, const Value& v) {
  return std::find(scope.applies.begin(), scope.applies.end(), v) != scope.applies.end();
}

// A setting that applies to none of the sweep's trials does nothing: refused, naming
// where it applies. A searched one that applies to some must say so with `when`.
absl::Status CheckSettingScopes(const Spec& spec) {
  for (const auto& scope : vocabulary::SettingScopes()) {
    const auto fixed = spec.fixed.find(scope.setting);
    const Parameter* searched = nullptr;
    for (const auto& p : spec.parameters) {
      if (p.name == scope.setting) searched = &p;
    }
    if (fixed == spec.fixed.end() && searched == nullptr) continue;
    const std::string path = searched ? "parameters." + scope.setting : "fixed." + scope.setting;
    const std::vector<Value> parents = ParentValues(spec, scope);
    std::vector<Value> applying;
    for (const auto& v : parents) {
      if (Applies(scope, v)) applying.push_back(v);
    }
    if (applying.empty()) {
      return Bad(path, absl::StrCat("does nothing with ", scope.parent, " ", ValuesText(parents),
                                    ": it applies only to ", scope.parent, " ", vocabulary::AppliesText(scope)));
    }
    if (searched && applying.size() < parents.size()) {
      bool conditioned = false;
      for (const auto& c : searched->when) {
        conditioned =
            conditioned || (c.parent == scope.parent && std::all_of(c.values.begin(), c.values.end(),
                                                                    [&](const Value& v) { return Applies(scope, v); }));
      }
      if (!conditioned) {
        std::vector<std::string> when;
        for (const auto& v : applying) when.push_back(ValueText(v));
        return Bad(path, absl::StrCat("applies only where ", scope.parent, " is ", vocabulary::AppliesText(scope),
                                      "; add `when: {", scope.parent, ": [", absl::StrJoin(when, ", "), "]}`"));
      }
    }
  }
  // Nesterov momentum with μ = 0 is plain sgd.
  if (auto n = spec.fixed.find("nesterov"); n != spec.fixed.end() && n->second == Value(true)) {
    const auto m = spec.fixed.find("momentum");
    const bool searched = std::any_of(spec.parameters.begin(), spec.parameters.end(),
                                      [](const Parameter& p) { return p.name == "momentum"; });
    if (!searched && (m == spec.fixed.end() || m->second.number() == 0)) {
      return Bad("fixed.nesterov", "needs momentum > 0 with sgd (Nesterov momentum with μ = 0 is plain sgd)");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckSpec(const Spec& spec, const SpecLimits& limits) {
  RETURN_IF_ERROR(CheckSweepName(spec.name));
  RETURN_IF_ERROR(spec.trainer.builtin() ? CheckBuiltinTrainer(spec) : CheckCommandTrainer(spec));
  // Budget and parallelism.
  if (spec.budget.max_trials < 0) return Bad("budget.max_trials", "must be > 0");
  if (spec.budget.max_failed < 0) return Bad("budget.max_failed", "must be >= 0");
  if (spec.budget.max_duration_seconds < 0 || !std::isfinite(spec.budget.max_duration_seconds))
    return Bad("budget.max_duration", "must be a positive duration");
  if (spec.budget.max_duration_seconds > kMaxDurationSeconds)
    return Bad("budget.max_duration", "must be at most 100 years (36500d)");
  if (spec.max_concurrent < 0) return Bad("parallelism.max_concurrent", "must be >= 0 (0: no cap of its own)");
  if (spec.max_concurrent > limits.max_concurrent)
    return Bad("parallelism.max_concurrent",
               absl::StrCat("must be <= ", limits.max_concurrent, " (the server's --max-concurrent)"));
  if (limits.max_trials > 0 && spec.budget.max_trials > limits.max_trials)
    return Bad("budget.max_trials", absl::StrCat("must be <= ", limits.max_trials, " (the server's limit)"));
  RETURN_IF_ERROR(CheckLabels(spec.labels));
  // Parameters.
  std::set<std::string> names;
  for (const auto& p : spec.parameters) {
    if (!names.insert(p.name).second) return Bad("parameters." + p.name, "is listed twice");
    RETURN_IF_ERROR(CheckParameter(p, spec));
  }
  RETURN_IF_ERROR(CheckConditions(spec));
  if (spec.trainer.builtin()) RETURN_IF_ERROR(CheckSettingScopes(spec));
  if (spec.trainer.builtin()) RETURN_IF_ERROR(CheckNetworkSize(spec, limits));
  if (spec.trainer.builtin()) RETURN_IF_ERROR(CheckConvStack(spec));
  RETURN_IF_ERROR(CheckSearch(spec));
  if (spec.method == Method::kNsga2) RETURN_IF_ERROR(CheckNsga2(spec.nsga2));
  if (spec.method == Method::kGrid && limits.max_trials > 0 && spec.budget.max_trials == 0) {
    auto space = SearchSpace::Build(spec);
    if (!space.ok()) return space.status();
    const uint64_t size = GridStrategy(std::move(*space), 0).size();
    if (size > static_cast<uint64_t>(limits.max_trials))
      return Bad("budget.max_trials", absl::StrCat("the grid has ", size, " points, more than the server's limit of ",
                                                   limits.max_trials, "; set budget.max_trials to run part of it"));
  }
  return absl::OkStatus();
}

}  // namespace

// Messages quote what the spec holds (a value, a key): printable and bounded.
absl::Status ValidateSpec(const Spec& spec, const SpecLimits& limits) {
  return PrintableStatus(CheckSpec(spec, limits));
}

}  // namespace hpsearch::search
