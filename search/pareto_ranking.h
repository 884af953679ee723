// A multi-objective sweep's completed trials as its users see them: each trial's
// non-domination rank (0: the Pareto front), the order `best` lists them in, and the
// front's size and hypervolume.
//
// The hypervolume's reference point is the worst value of each objective among the
// ranked trials, pushed 10% further out (search::ReferencePoint, the rule Optuna's
// TPE uses), so every front trial adds volume. It moves as worse trials arrive; a
// history of the hypervolume is computed against one reference point throughout.
#pragma once

#include <cstddef>
#include <vector>

#include "search/objectives.h"

namespace hpsearch::search {

struct ParetoRanking {
  std::vector<int> rank;           // per trial, as given
  std::vector<std::size_t> order;  // by rank, then the first objective (best first), then as given
  std::size_t front_size = 0;
  std::vector<double> reference;  // in each objective's own terms (a maximised one not negated)
  double hypervolume = 0;         // of the front, bounded by `reference`
};

// REQUIRES: every values[i] has one value per objective, all finite.
ParetoRanking RankTrials(const std::vector<ResolvedObjective>& objectives,
                         const std::vector<std::vector<double>>& values);

// The hypervolume of the first 1..n trials (in `values` order), against the
// reference point of all of them: the front's growth as trials finished.
std::vector<double> HypervolumeHistory(const std::vector<ResolvedObjective>& objectives,
                                       const std::vector<std::vector<double>>& values);

}  // namespace hpsearch::search
