#include "search/objective_checks.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/protocol/report_checks.h"
#include "common/util/did_you_mean.h"
#include "common/util/printable.h"
#include "common/util/status_macros.h"
#include "common/vocabulary/metrics.h"
#include "search/objectives.h"

namespace hpsearch::search {

namespace {

absl::Status Bad(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

// The built-in trainer reports `metric` (a val_ one only with validation rows).
absl::Status CheckBuiltinMetric(const Spec& spec, const std::string& metric, const std::string& path, bool multi) {
  if (absl::StartsWith(metric, "test_"))
    return Bad(path, "test metrics must not drive the search; use the val_ metric");
  auto metrics = vocabulary::SearchableMetrics(vocabulary::TaskOf(spec.dataset));
  if (multi) metrics.insert(metrics.end(), {kParameterCountObjective, kSecondsObjective});
  if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end())
    return Bad(path, absl::StrCat("unknown metric ", Quoted(metric), DidYouMean(metric, metrics), "; one of ",
                                  absl::StrJoin(metrics, ", ")));
  // No validation rows, no val_ metric: every trial would fail for want of it.
  if (spec.dataset.validation == 0 && absl::StartsWith(metric, "val_"))
    return Bad("dataset.validation",
               absl::StrCat("0 holds out no rows, so the objective ", metric,
                            " is never reported; hold some out or use ", path, ": train_", metric.substr(4)));
  return absl::OkStatus();
}

// A program's own metric: named (there is no default), and a valid report name.
absl::Status CheckProgramMetric(const Spec& spec, const std::string& metric, const std::string& path) {
  const std::string with = spec.trainer.runs_command() ? "with trainer.command" : "with trainer: external";
  if (metric.empty())
    return Bad(path, absl::StrCat("is required ", with, ": the name your program reports, e.g. val_loss"));
  if (!ValidMetricName(metric))
    return Bad(path, absl::StrCat(Quoted(metric), " is not 1-64 characters of A-Z a-z 0-9 _ ."));
  return absl::OkStatus();
}

// What only one objective can do.
absl::Status CheckMultiObjective(const Spec& spec) {
  if (spec.pruning.method != PruningMethod::kNone)
    return Bad("pruning",
               "is not available with several objectives: a pruner ranks trials on one value at each epoch, and "
               "with several objectives a trial behind on one may be on the Pareto front by another (Optuna "
               "refuses it too); remove `pruning` or keep one objective");
  const auto all = ResolvedObjectives(spec);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!seen.insert(all[i].metric).second)
      return Bad(absl::StrCat("objective[", i, "].metric"), absl::StrCat(all[i].metric, " is listed twice"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckObjectives(const Spec& spec) {
  const bool multi = MultiObjective(spec);
  if (1 + spec.other_objectives.size() > kMaxObjectives)
    return Bad("objective",
               absl::StrCat("at most ", kMaxObjectives, " objectives, not ", 1 + spec.other_objectives.size()));
  std::vector<const Objective*> objectives{&spec.objective};
  for (const auto& o : spec.other_objectives) objectives.push_back(&o);
  for (std::size_t i = 0; i < objectives.size(); ++i) {
    const Objective& o = *objectives[i];
    const std::string at = multi ? absl::StrCat("objective[", i, "]") : "objective";
    if (o.target && multi)
      return Bad(at + ".target",
                 "a multi-objective sweep has no single best value to stop at; remove `target` or keep one objective");
    if (o.target && !std::isfinite(*o.target)) return Bad(at + ".target", "must be a finite number");
    if (spec.trainer.builtin()) {
      // The first objective may leave its metric to the task's default.
      const std::string metric = i == 0 ? ResolvedObjectives(spec)[0].metric : o.metric;
      if (metric.empty()) return Bad(at + ".metric", "is required: the metric to rank trials on");
      RETURN_IF_ERROR(CheckBuiltinMetric(spec, metric, at + ".metric", multi));
    } else {
      RETURN_IF_ERROR(CheckProgramMetric(spec, o.metric, at + ".metric"));
    }
  }
  return multi ? CheckMultiObjective(spec) : absl::OkStatus();
}

}  // namespace hpsearch::search
