#include "search/objectives.h"

#include <algorithm>
#include <cmath>

#include "common/vocabulary/metrics.h"
#include "search/spec_validator.h"

namespace hpsearch::search {

std::vector<ResolvedObjective> ResolvedObjectives(const Spec& spec) {
  std::vector<ResolvedObjective> out{{ObjectiveMetric(spec), ObjectiveMaximized(spec)}};
  for (const auto& o : spec.other_objectives) {
    const bool maximize =
        o.goal != Goal::kUnspecified ? o.goal == Goal::kMaximize : vocabulary::MaximizedByDefault(o.metric);
    out.push_back({o.metric, maximize});
  }
  return out;
}

TrialOutcome OutcomeOf(const std::map<std::string, double>& metrics, int64_t parameter_count, int64_t started_ms,
                       int64_t finished_ms) {
  TrialOutcome out{&metrics, parameter_count, -1};
  if (started_ms > 0 && finished_ms >= started_ms) out.seconds = static_cast<double>(finished_ms - started_ms) / 1000.0;
  return out;
}

std::optional<double> ObjectiveValue(const std::string& metric, const TrialOutcome& trial) {
  std::optional<double> v;
  if (trial.metrics) {
    if (auto it = trial.metrics->find(metric); it != trial.metrics->end()) v = it->second;
  }
  if (!v && metric == kParameterCountObjective && trial.parameter_count > 0)
    v = static_cast<double>(trial.parameter_count);
  if (!v && metric == kSecondsObjective && trial.seconds >= 0) v = trial.seconds;
  if (v && !std::isfinite(*v)) return std::nullopt;
  return v;
}

std::optional<std::vector<double>> ObjectiveValues(const std::vector<ResolvedObjective>& objectives,
                                                   const TrialOutcome& trial) {
  std::vector<double> out;
  out.reserve(objectives.size());
  for (const auto& o : objectives) {
    auto v = ObjectiveValue(o.metric, trial);
    if (!v) return std::nullopt;
    out.push_back(*v);
  }
  return out;
}

ObjectiveVector AsLosses(const std::vector<ResolvedObjective>& objectives, const std::vector<double>& values) {
  ObjectiveVector out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = objectives[i].maximize ? -values[i] : values[i];
  return out;
}

ObjectiveVector ReferencePoint(const std::vector<ObjectiveVector>& losses) {
  ObjectiveVector worst = losses.front();
  for (const auto& l : losses) {
    for (std::size_t m = 0; m < worst.size(); ++m) worst[m] = std::max(worst[m], l[m]);
  }
  for (double& w : worst) {
    w = std::max(1.1 * w, 0.9 * w);
    if (w == 0) w = 1e-12;
  }
  return worst;
}

}  // namespace hpsearch::search
