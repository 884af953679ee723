#include "search/strategy.h"

#include "absl/strings/str_cat.h"
#include "common/util/counted.h"

#include "search/grid_strategy.h"
#include "search/hyperband_pruner.h"
#include "search/nsga2_strategy.h"
#include "search/objectives.h"
#include "search/random_strategy.h"
#include "search/spec_validator.h"
#include "search/tpe_strategy.h"

namespace hpsearch::search {

void Strategy::Skip(int64_t n) {
  for (int64_t i = 0; i < n && Next().has_value(); ++i) {
  }
}

std::string ExhaustedNote(int64_t distinct) {
  return absl::StrCat("the search space looks exhausted after ", Counted(distinct, "distinct configuration"), " (",
                      kMaxDuplicateDraws, " duplicate draws in a row)");
}

absl::StatusOr<std::unique_ptr<Strategy>> MakeStrategy(const Spec& spec) {
  auto space = SearchSpace::Build(spec);
  if (!space.ok()) return space.status();
  if (spec.method == Method::kGrid)
    return std::unique_ptr<Strategy>(std::make_unique<GridStrategy>(std::move(*space), spec.budget.max_trials));
  const int64_t trials = spec.budget.max_trials > 0 ? spec.budget.max_trials : kDefaultRandomTrials;
  if (spec.method == Method::kTpe) {
    std::function<int(int64_t)> group;
    if (spec.pruning.method == PruningMethod::kHyperband) {
      auto plan = std::make_shared<HyperbandBrackets>(spec.pruning, MaxEpochs(spec));
      group = [plan, seed = spec.seed](int64_t index) { return plan->BracketOf(seed, index); };
    }
    std::vector<ResolvedObjective> objectives;
    if (MultiObjective(spec)) objectives = ResolvedObjectives(spec);
    return std::unique_ptr<Strategy>(std::make_unique<TpeStrategy>(std::move(*space), spec.tpe, spec.seed, trials,
                                                                   ObjectiveMaximized(spec), std::move(group),
                                                                   std::move(objectives)));
  }
  if (spec.method == Method::kNsga2) {
    return std::unique_ptr<Strategy>(
        std::make_unique<Nsga2Strategy>(std::move(*space), spec.nsga2, spec.seed, trials, ResolvedObjectives(spec)));
  }
  return std::unique_ptr<Strategy>(std::make_unique<RandomStrategy>(std::move(*space), spec.seed, trials));
}

}  // namespace hpsearch::search
