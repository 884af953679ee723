// Comparing trials on several objectives at once: Pareto dominance, non-dominated
// sorting into fronts, and the hypervolume a set of points dominates.
//
// Every objective is minimised here: a caller negates the ones it maximises (and its
// reference point with them). Values must be finite; a trial without a value for
// every objective has no place in a front and is left out by the caller.
//
// The foundation of multi-objective sweeps (issue 28): `best` lists the front by
// rank, `status` shows its size and hypervolume, multi-objective TPE splits trials by
// rank and hypervolume contribution.
#pragma once

#include <cstddef>
#include <vector>

namespace hpsearch::search {

using ObjectiveVector = std::vector<double>;

// `a` dominates `b`: no worse in any objective and better in at least one. Equal
// points do not dominate each other. REQUIRES: a.size() == b.size().
bool Dominates(const ObjectiveVector& a, const ObjectiveVector& b);

// The non-domination rank of every point: 0 for the Pareto front (no point
// dominates it), k for the front that remains once ranks 0..k-1 are taken away.
// Equal points share a rank. Deb et al.'s fast non-dominated sort: O(M·N²) for N
// points of M objectives (N = 10,000 trials of 2 objectives: about 0.2 s).
std::vector<int> NonDominatedRanks(const std::vector<ObjectiveVector>& points);

// The indices of the rank-0 points, in input order.
std::vector<std::size_t> ParetoFront(const std::vector<ObjectiveVector>& points);

// The volume of the region dominated by `points` and bounded by `reference`: the
// union of the boxes [p, reference]. A point not strictly below the reference in
// every objective adds nothing. Exact: two objectives by one sweep (O(N log N)), more
// by WFG (While, Bradstreet and Barone, 2012), exponential in the worst case but fast
// for the fronts of a sweep. One objective: the distance from the best point to the
// reference.
double Hypervolume(std::vector<ObjectiveVector> points, const ObjectiveVector& reference);

// How much of the hypervolume point i alone dominates: Hypervolume(all) minus
// Hypervolume(all but i). 0 for a dominated point or a duplicate.
std::vector<double> HypervolumeContributions(const std::vector<ObjectiveVector>& points,
                                             const ObjectiveVector& reference);

// `k` of the points chosen to dominate as much hypervolume as they can together,
// greedily (each step takes the point adding the most; ties: the lower index), the
// 1 − 1/e approximation of the hypervolume subset selection problem that Optuna's
// multi-objective TPE breaks a front's ties with. Distinct points first; duplicates
// only once every distinct point is taken. Indices in increasing order.
// REQUIRES: k <= points.size().
std::vector<std::size_t> GreedyHypervolumeSubset(const std::vector<ObjectiveVector>& points, std::size_t k,
                                                 const ObjectiveVector& reference);

// NSGA-II's crowding distance of each point within its front (Deb et al. 2002): per
// objective, the gap between its two neighbours in that objective divided by the
// objective's range, summed; the extremes of each objective are infinite. An
// objective in which every point is alike adds nothing (as in Optuna).
std::vector<double> CrowdingDistances(const std::vector<ObjectiveVector>& front);

}  // namespace hpsearch::search
