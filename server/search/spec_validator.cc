#include "search/spec_validator.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/dataset_options.h"
#include "util/dataset_spec_json.h"
#include "search/grid_strategy.h"
#include "search/search_space.h"
#include "trainer/vocabulary.h"
#include "util/did_you_mean.h"

namespace hpsearch::search {

namespace v1 = hpsearch::v1;

namespace {

absl::Status Bad(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

#define RETURN_IF_ERROR(expr)      \
  do {                             \
    absl::Status _st = (expr);     \
    if (!_st.ok()) return _st;     \
  } while (0)

std::vector<std::string> MetricNames(const std::string& dataset) {
  std::vector<std::string> names;
  const bool reg = KnownRegression(dataset);
  const bool unknown = dataset == "csv";
  for (const char* split : {"train", "val"}) {
    names.push_back(absl::StrCat(split, "_loss"));
    if (!reg || unknown) names.push_back(absl::StrCat(split, "_accuracy"));
    if (reg || unknown) {
      names.push_back(absl::StrCat(split, "_mse"));
      names.push_back(absl::StrCat(split, "_r2"));
    }
  }
  return names;
}

absl::Status CheckRange(const v1::Parameter& p, const trainer::ParamInfo* info, const v1::SweepSpec& spec) {
  const std::string path = "parameters." + p.name();
  const auto& r = p.range();
  if (!std::isfinite(r.min())) return Bad(path + ".min", "must be a finite number");
  if (!std::isfinite(r.max())) return Bad(path + ".max", "must be a finite number");
  if (r.min() > r.max()) return Bad(path + ".min", absl::StrCat("must be <= max (", r.min(), " > ", r.max(), ")"));
  if (r.scale() == v1::LOG && r.min() <= 0) return Bad(path + ".min", "must be > 0 with scale: log");
  const bool integer = r.type() == v1::INT;
  if (integer && (r.min() != std::floor(r.min()) || r.max() != std::floor(r.max())))
    return Bad(path, "type: int needs integer min and max");
  if (r.has_step()) {
    if (!std::isfinite(r.step()) || r.step() <= 0) return Bad(path + ".step", "must be > 0");
    if (integer && r.step() != std::floor(r.step())) return Bad(path + ".step", "must be an integer with type: int");
    if (r.scale() == v1::LOG) return Bad(path + ".step", "cannot be combined with scale: log (use count for log-spaced grids)");
    if ((r.max() - r.min()) / r.step() > 1e7) return Bad(path + ".step", "yields more than 10,000,000 values");
  }
  if (r.has_count()) {
    if (r.count() < 1) return Bad(path + ".count", "must be >= 1");
    if (r.count() > 1'000'000) return Bad(path + ".count", "must be <= 1,000,000");
    if (r.has_step()) return Bad(path, "give count or step, not both");
    if (integer && r.scale() != v1::LOG && r.count() > r.max() - r.min() + 1)
      return Bad(path + ".count", absl::StrCat("exceeds the ", r.max() - r.min() + 1, " integers in [min, max]"));
  }
  if (spec.method() == v1::GRID && !r.has_count() && !r.has_step() && !integer)
    return Bad(path, "a grid needs `count` (evenly spaced points) or `step` for a range");
  if (spec.method() == v1::GRID && integer && !r.has_count() && !r.has_step() && r.max() - r.min() >= 1e6)
    return Bad(path, "an integer range this wide needs `count` or `step` in a grid");
  if (info != nullptr) {
    if (info->type != trainer::ParamType::kInt && info->type != trainer::ParamType::kFloat)
      return Bad(path, absl::StrCat("is ", trainer::TypeName(info->type), ", give it `values`, not a range"));
    if (info->type == trainer::ParamType::kInt && !integer)
      return Bad(path, "is an integer setting: add `type: int`");
    if (auto st = trainer::CheckParamValue(*info, r.min()); !st.ok()) return Bad(path + ".min", std::string(st.message()));
    if (auto st = trainer::CheckParamValue(*info, r.max()); !st.ok()) return Bad(path + ".max", std::string(st.message()));
  }
  return absl::OkStatus();
}

absl::Status CheckParameter(const v1::Parameter& p, const v1::SweepSpec& spec) {
  const std::string path = "parameters." + p.name();
  const trainer::ParamInfo* info = trainer::FindParam(p.name());
  if (info == nullptr)
    return Bad(path, "unknown trainer setting" + DidYouMean(p.name(), trainer::VocabularyNames()));
  if (spec.fixed().fields().contains(p.name())) return Bad(path, "is also set in `fixed`; keep one");
  switch (p.domain_case()) {
    case v1::Parameter::kValues: {
      if (p.values().values().empty()) return Bad(path + ".values", "must not be empty");
      std::set<std::string> seen;
      for (int i = 0; i < p.values().values_size(); ++i) {
        const nlohmann::json v = ValueToJson(p.values().values(i));
        if (auto st = trainer::CheckParamValue(*info, v); !st.ok())
          return Bad(absl::StrCat(path, ".values[", i, "]"), std::string(st.message()));
        if (!seen.insert(v.dump()).second)
          return Bad(absl::StrCat(path, ".values[", i, "]"), absl::StrCat("duplicate value ", v.dump()));
      }
      return absl::OkStatus();
    }
    case v1::Parameter::kValue:
      if (auto st = trainer::CheckParamValue(*info, ValueToJson(p.value())); !st.ok())
        return Bad(path + ".value", std::string(st.message()));
      return absl::OkStatus();
    case v1::Parameter::kRange: return CheckRange(p, info, spec);
    default: return Bad(path, "needs `values`, `min`/`max` or `value`");
  }
}

absl::Status CheckConditions(const v1::SweepSpec& spec) {
  std::map<std::string, const v1::Parameter*> by_name;
  for (const auto& p : spec.parameters()) by_name[p.name()] = &p;
  std::vector<std::string> names;
  for (const auto& [n, p] : by_name) names.push_back(n);
  for (const auto& p : spec.parameters()) {
    for (const auto& c : p.when()) {
      const std::string path = absl::StrCat("parameters.", p.name(), ".when.", c.parent());
      auto it = by_name.find(c.parent());
      if (it == by_name.end()) return Bad(path, "unknown parameter" + DidYouMean(c.parent(), names));
      if (c.parent() == p.name()) return Bad(path, "a parameter cannot depend on itself");
      if (it->second->domain_case() != v1::Parameter::kValues)
        return Bad(path, "the parent must be a categorical parameter (`values`)");
      if (c.values().empty()) return Bad(path, "must list at least one value");
      std::set<std::string> allowed;
      for (const auto& v : it->second->values().values()) allowed.insert(ValueToJson(v).dump());
      for (const auto& v : c.values())
        if (!allowed.contains(ValueToJson(v).dump()))
          return Bad(path, absl::StrCat(ValueToJson(v).dump(), " is not one of ", c.parent(), "'s values"));
    }
  }
  // Cycles: depth-first search over parent links.
  std::map<std::string, int> state;
  std::function<absl::Status(const v1::Parameter&)> visit = [&](const v1::Parameter& p) -> absl::Status {
    int& s = state[p.name()];
    if (s == 2) return absl::OkStatus();
    if (s == 1) return Bad("parameters." + p.name() + ".when", "conditions form a cycle");
    s = 1;
    for (const auto& c : p.when()) RETURN_IF_ERROR(visit(*by_name[c.parent()]));
    state[p.name()] = 2;
    return absl::OkStatus();
  };
  for (const auto& p : spec.parameters()) RETURN_IF_ERROR(visit(p));
  return absl::OkStatus();
}

// The largest network any trial of the spec can build, in parameters.
absl::Status CheckNetworkSize(const v1::SweepSpec& spec, const SpecLimits& limits) {
  const int inputs = KnownInputs(spec.dataset().name(), spec.dataset().features());
  if (inputs == 0 || limits.max_network_params <= 0) return absl::OkStatus();
  std::vector<std::pair<std::string, nlohmann::json>> candidates;
  if (spec.fixed().fields().contains("hidden"))
    candidates.emplace_back("fixed.hidden", ValueToJson(spec.fixed().fields().at("hidden")));
  for (const auto& p : spec.parameters()) {
    if (p.name() != "hidden") continue;
    if (p.has_value()) candidates.emplace_back("parameters.hidden.value", ValueToJson(p.value()));
    for (int i = 0; i < p.values().values_size(); ++i)
      candidates.emplace_back(absl::StrCat("parameters.hidden.values[", i, "]"), ValueToJson(p.values().values(i)));
  }
  for (const auto& [path, h] : candidates) {
    double params = 0, in = inputs;
    for (const auto& w : h) {
      params += in * w.get<double>() + w.get<double>();
      in = w.get<double>();
    }
    params += in * 10 + 10;
    if (params > static_cast<double>(limits.max_network_params))
      return Bad(path, absl::StrCat("a network of ", static_cast<int64_t>(params), " parameters exceeds the limit of ",
                                    limits.max_network_params));
  }
  return absl::OkStatus();
}

}  // namespace

nlohmann::json DatasetToJson(const v1::DatasetSpec& d) { return DatasetSpecToJson(d); }

bool LooksLikeSweepId(const std::string& name) {
  if (name.size() < 3 || name.compare(0, 2, "s-") != 0) return false;
  return std::all_of(name.begin() + 2, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int KnownInputs(const std::string& name, int features) {
  static const std::map<std::string, int> inputs = {
      {"spiral", 2}, {"moons", 2}, {"circles", 2}, {"xor", 2}, {"fashion-mnist", 784}, {"iris", 4},
      {"wine", 13}, {"breast_cancer", 30}, {"digits", 64}, {"diabetes", 10}};
  if (name == "blobs") return features > 0 ? features : 2;
  if (name == "regression") return features > 0 ? features : 4;
  auto it = inputs.find(name);
  return it == inputs.end() ? 0 : it->second;
}

bool KnownRegression(const std::string& name) { return name == "regression" || name == "diabetes"; }

std::string ObjectiveMetric(const v1::SweepSpec& spec) {
  if (!spec.objective().metric().empty()) return spec.objective().metric();
  return KnownRegression(spec.dataset().name()) ? "val_loss" : "val_accuracy";
}

bool ObjectiveMaximized(const v1::SweepSpec& spec) {
  if (spec.objective().goal() != v1::GOAL_UNSPECIFIED) return spec.objective().goal() == v1::MAXIMIZE;
  const std::string m = ObjectiveMetric(spec);
  return absl::EndsWith(m, "accuracy") || absl::EndsWith(m, "r2");
}

absl::Status ValidateSpec(const v1::SweepSpec& spec, const SpecLimits& limits) {
  if (spec.name().size() > 200) return Bad("name", "must be at most 200 characters");
  if (LooksLikeSweepId(spec.name()))
    return Bad("name", absl::StrCat("'", spec.name(), "' looks like a sweep id (s-NNNNNN), which would hide the "
                                    "sweep when looked up by name; choose another name"));
  if (!spec.has_dataset() || spec.dataset().name().empty()) return Bad("dataset.name", "is required");
  if (auto d = data::ParseDatasetOptions(DatasetToJson(spec.dataset())); !d.ok()) return d.status();
  // Objective.
  const std::string metric = ObjectiveMetric(spec);
  if (absl::StartsWith(metric, "test_"))
    return Bad("objective.metric", "test metrics must not drive the search; use the val_ metric");
  const auto metrics = MetricNames(spec.dataset().name());
  if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end())
    return Bad("objective.metric", absl::StrCat("unknown metric '", metric, "'", DidYouMean(metric, metrics),
                                                "; one of ", absl::StrJoin(metrics, ", ")));
  if (spec.objective().has_target() && !std::isfinite(spec.objective().target()))
    return Bad("objective.target", "must be a finite number");
  // Budget and parallelism.
  if (spec.budget().max_trials() < 0) return Bad("budget.max_trials", "must be > 0");
  if (spec.budget().max_failed() < 0) return Bad("budget.max_failed", "must be >= 0");
  if (spec.budget().max_duration_seconds() < 0 || !std::isfinite(spec.budget().max_duration_seconds()))
    return Bad("budget.max_duration", "must be a positive duration");
  if (spec.budget().max_duration_seconds() > kMaxDurationSeconds)
    return Bad("budget.max_duration", "must be at most 100 years (36500d)");
  if (spec.parallelism().max_concurrent() < 0) return Bad("parallelism.max_concurrent", "must be >= 1");
  if (spec.parallelism().max_concurrent() > limits.max_concurrent)
    return Bad("parallelism.max_concurrent",
               absl::StrCat("must be <= ", limits.max_concurrent, " (the server's --max-concurrent)"));
  if (limits.max_trials > 0 && spec.budget().max_trials() > limits.max_trials)
    return Bad("budget.max_trials", absl::StrCat("must be <= ", limits.max_trials, " (the server's limit)"));
  // Fixed settings.
  for (const auto& [k, v] : spec.fixed().fields()) {
    if (auto st = trainer::CheckParam(k, ValueToJson(v)); !st.ok()) return Bad("fixed." + k, std::string(st.message()));
  }
  // Parameters.
  std::set<std::string> names;
  for (const auto& p : spec.parameters()) {
    if (!names.insert(p.name()).second) return Bad("parameters." + p.name(), "is listed twice");
    RETURN_IF_ERROR(CheckParameter(p, spec));
  }
  RETURN_IF_ERROR(CheckConditions(spec));
  RETURN_IF_ERROR(CheckNetworkSize(spec, limits));
  if (spec.method() == v1::GRID && limits.max_trials > 0 && spec.budget().max_trials() == 0) {
    auto space = SearchSpace::Build(spec);
    if (!space.ok()) return space.status();
    const uint64_t size = GridStrategy(std::move(*space), 0).size();
    if (size > static_cast<uint64_t>(limits.max_trials))
      return Bad("budget.max_trials", absl::StrCat("the grid has ", size, " points, more than the server's limit of ",
                                                   limits.max_trials, "; set budget.max_trials to run part of it"));
  }
  return absl::OkStatus();
}

}  // namespace hpsearch::search
