#include "search/pareto_ranking.h"

#include <algorithm>

namespace hpsearch::search {

namespace {

std::vector<ObjectiveVector> Losses(const std::vector<ResolvedObjective>& objectives,
                                    const std::vector<std::vector<double>>& values) {
  std::vector<ObjectiveVector> losses;
  losses.reserve(values.size());
  for (const auto& v : values) losses.push_back(AsLosses(objectives, v));
  return losses;
}

}  // namespace

ParetoRanking RankTrials(const std::vector<ResolvedObjective>& objectives,
                         const std::vector<std::vector<double>>& values) {
  ParetoRanking out;
  const std::vector<ObjectiveVector> losses = Losses(objectives, values);
  out.rank = NonDominatedRanks(losses);
  out.order.resize(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out.order[i] = i;
  std::stable_sort(out.order.begin(), out.order.end(), [&](std::size_t a, std::size_t b) {
    if (out.rank[a] != out.rank[b]) return out.rank[a] < out.rank[b];
    return losses[a][0] < losses[b][0];
  });
  if (losses.empty()) return out;
  std::vector<ObjectiveVector> front;
  for (std::size_t i = 0; i < losses.size(); ++i) {
    if (out.rank[i] == 0) front.push_back(losses[i]);
  }
  out.front_size = front.size();
  const ObjectiveVector reference = ReferencePoint(losses);
  out.hypervolume = Hypervolume(front, reference);
  out.reference = AsLosses(objectives, reference);  // negating twice: back to the objectives' own terms
  return out;
}

std::vector<double> HypervolumeHistory(const std::vector<ResolvedObjective>& objectives,
                                       const std::vector<std::vector<double>>& values) {
  std::vector<double> history;
  if (values.empty()) return history;
  const std::vector<ObjectiveVector> losses = Losses(objectives, values);
  const ObjectiveVector reference = ReferencePoint(losses);
  std::vector<ObjectiveVector> front;  // of the trials so far
  double volume = 0;
  for (const auto& l : losses) {
    const bool dominated =
        std::any_of(front.begin(), front.end(), [&](const auto& f) { return Dominates(f, l) || f == l; });
    if (!dominated) {
      std::erase_if(front, [&](const auto& f) { return Dominates(l, f); });
      front.push_back(l);
      volume = Hypervolume(front, reference);
    }
    history.push_back(volume);
  }
  return history;
}

}  // namespace hpsearch::search
