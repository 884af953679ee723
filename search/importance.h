// Which parameters mattered: PED-ANOVA (Watanabe, Bansal & Hutter, "PED-ANOVA:
// Efficiently Quantifying Hyperparameter Importance in Arbitrary Subspaces", IJCAI
// 2023), the default of Optuna 5, with the conditional form of condPED-ANOVA (KDD
// 2026) for parameters that are active only in some trials (`when`).
//
// For each searched parameter, the importance is the Pearson divergence between the
// distribution of its values among the best trials (the top `target_quantile` of
// the completed ones) and among all completed trials, each a Parzen estimator on a
// grid (50 cells over a range, log-scaled where the range is; one per category) with
// Scott's-rule bandwidths and a prior kernel. A parameter whose good values are
// spread like all its values scores 0; one where the best trials crowd into a corner
// scores high. Importances are normalised to sum to 1 (all 0 when nothing can be
// told: fewer than 2 completed trials, or every trial among the best). Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "search/spec.h"

namespace hpsearch::search {

struct ParamImportance {
  std::string name;
  double importance = 0;  // normalised: all of a sweep's sum to 1 (or are all 0)
};

// The share of the completed trials that counts as the best (the top 10%): every
// caller's quantile, and what the API reports as target_quantile.
inline constexpr double kImportanceTargetQuantile = 0.1;

// Below this many completed trials the top 10% holds fewer than 2 of them and the
// importances say little: the CLI, the API and the dashboard withhold them, saying
// how many trials there are and how many it takes.
inline constexpr int64_t kImportanceMinimumTrials = 20;

// `completed`: each completed trial's parameters and objective. Every searched
// parameter of `spec` (a range or more than one value) appears, most important first.
std::vector<ParamImportance> PedAnovaImportance(const Spec& spec,
                                                const std::vector<std::pair<Params, double>>& completed, bool maximize,
                                                double target_quantile = kImportanceTargetQuantile);

}  // namespace hpsearch::search
