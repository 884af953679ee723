// The objectives of a sweep as it runs them (defaults resolved), and a trial's value
// for each: what multi-objective search and the Pareto front compare.
//
// A trial's value for an objective is the final metric of that name; two more come
// with every trial without being metrics: `parameter_count` (the network's size, the
// built-in trainer's, or what a command reported) and `seconds` (the completed
// attempt's wall time), so accuracy against size or against time needs nothing of
// the trainer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "search/pareto.h"
#include "search/spec.h"

namespace hpsearch::search {

struct ResolvedObjective {
  std::string metric;
  bool maximize = false;
};

// Every objective of the spec, the first one first, each with its default metric
// and goal resolved (ObjectiveMetric, ObjectiveMaximized for the first; the metric's
// natural direction for the others).
std::vector<ResolvedObjective> ResolvedObjectives(const Spec& spec);

// The values a trial has besides its final metrics.
inline constexpr char kParameterCountObjective[] = "parameter_count";
inline constexpr char kSecondsObjective[] = "seconds";

// What a completed trial offers to be ranked on.
struct TrialOutcome {
  const std::map<std::string, double>* metrics = nullptr;  // final metrics
  int64_t parameter_count = 0;                             // 0: unknown
  double seconds = -1;                                     // < 0: unknown
};

// A completed attempt's outcome: its final metrics and size, and its wall time from
// `started_ms` to `finished_ms` (unix ms; unknown when either is 0 or they disagree).
// REQUIRES: `metrics` outlives it.
TrialOutcome OutcomeOf(const std::map<std::string, double>& metrics, int64_t parameter_count, int64_t started_ms,
                       int64_t finished_ms);

// The trial's value of `metric`, or nullopt when it has none (or a non-finite one).
std::optional<double> ObjectiveValue(const std::string& metric, const TrialOutcome& trial);

// Its value of every objective, in order; nullopt when one is missing.
std::optional<std::vector<double>> ObjectiveValues(const std::vector<ResolvedObjective>& objectives,
                                                   const TrialOutcome& trial);

// The values as losses (maximised objectives negated): what pareto.h compares.
ObjectiveVector AsLosses(const std::vector<ResolvedObjective>& objectives, const std::vector<double>& values);

// The reference point for the hypervolume of a set of losses, as Optuna's TPE takes
// it: the worst loss of each objective, pushed 10% further out (and 1e-12 where it is
// 0), so that every point, the worst included, adds volume. REQUIRES: losses not empty.
ObjectiveVector ReferencePoint(const std::vector<ObjectiveVector>& losses);

}  // namespace hpsearch::search
