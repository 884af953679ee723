#include "search/pareto.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace hpsearch::search {

namespace {

// Two objectives: a point's front is the first whose points do not dominate it. In
// order of the first objective (then the second), every earlier point is no worse in
// the first, so a front dominates the point iff the front's best second value is
// lower, or equal and reached with a lower first value. Those bests grow from front
// to front, so the front is found by binary search: O(N log N).
std::vector<int> Ranks2(const std::vector<ObjectiveVector>& p) {
  std::vector<std::size_t> order(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  struct Best {
    double second, first;  // the front's lowest second value, and the first value it came with
  };
  std::vector<Best> fronts;
  std::vector<int> rank(p.size(), 0);
  for (std::size_t i : order) {
    const double x = p[i][0], y = p[i][1];
    const auto dominates = [&](const Best& f) { return f.second < y || (f.second == y && f.first < x); };
    const auto it = std::partition_point(fronts.begin(), fronts.end(), dominates);
    rank[i] = static_cast<int>(it - fronts.begin());
    if (it == fronts.end()) {
      fronts.push_back({y, x});
    } else if (y < it->second) {
      *it = {y, x};
    }
  }
  return rank;
}

// Any number of objectives: Deb et al.'s counting sort of the dominance graph.
std::vector<int> RanksN(const std::vector<ObjectiveVector>& p) {
  const std::size_t n = p.size();
  std::vector<std::vector<std::size_t>> dominated(n);  // the points each one dominates
  std::vector<int64_t> dominators(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (Dominates(p[i], p[j])) {
        dominated[i].push_back(j);
        ++dominators[j];
      } else if (Dominates(p[j], p[i])) {
        dominated[j].push_back(i);
        ++dominators[i];
      }
    }
  }
  std::vector<int> rank(n, 0);
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < n; ++i) {
    if (dominators[i] == 0) front.push_back(i);
  }
  for (int r = 0; !front.empty(); ++r) {
    std::vector<std::size_t> next;
    for (std::size_t i : front) {
      rank[i] = r;
      for (std::size_t j : dominated[i]) {
        if (--dominators[j] == 0) next.push_back(j);
      }
    }
    front = std::move(next);
  }
  return rank;
}

// The points no other point dominates, one of each group of equal points.
std::vector<ObjectiveVector> NonDominated(std::vector<ObjectiveVector> points) {
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  std::vector<ObjectiveVector> kept;
  for (const auto& p : points) {
    bool dominated = false;
    for (const auto& q : points) {
      if (Dominates(q, p)) {
        dominated = true;
        break;
      }
    }
    if (!dominated) kept.push_back(p);
  }
  return kept;
}

double Box(const ObjectiveVector& p, const ObjectiveVector& reference) {
  double v = 1;
  for (std::size_t d = 0; d < p.size(); ++d) v *= reference[d] - p[d];
  return v;
}

// Two objectives, every point strictly below the reference: in order of the first
// objective, each point adds the strip between it and the lowest second value so far.
double Volume2(std::vector<ObjectiveVector> points, const ObjectiveVector& reference) {
  std::sort(points.begin(), points.end());
  double volume = 0, ceiling = reference[1];
  for (const auto& p : points) {
    if (p[1] < ceiling) {
      volume += (reference[0] - p[0]) * (ceiling - p[1]);
      ceiling = p[1];
    }
  }
  return volume;
}

// WFG: the union's volume as the sum of each point's exclusive part, its box minus
// what the points after it already cover of that box (their limits by the point).
// REQUIRES: every point strictly below the reference.
double Volume(std::vector<ObjectiveVector> points, const ObjectiveVector& reference) {
  if (points.empty()) return 0;
  if (reference.size() == 2) return Volume2(std::move(points), reference);
  if (points.size() == 1) return Box(points[0], reference);
  // Worst first in the first objective: the limit sets of early points stay small.
  std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a[0] > b[0]; });
  double volume = 0;
  for (std::size_t k = 0; k < points.size(); ++k) {
    std::vector<ObjectiveVector> limited;
    limited.reserve(points.size() - k - 1);
    for (std::size_t j = k + 1; j < points.size(); ++j) {
      ObjectiveVector q(points[j].size());
      for (std::size_t d = 0; d < q.size(); ++d) q[d] = std::max(points[k][d], points[j][d]);
      limited.push_back(std::move(q));
    }
    volume += Box(points[k], reference) - Volume(NonDominated(std::move(limited)), reference);
  }
  return volume;
}

}  // namespace

bool Dominates(const ObjectiveVector& a, const ObjectiveVector& b) {
  bool better = false;
  for (std::size_t d = 0; d < a.size(); ++d) {
    if (a[d] > b[d]) return false;
    if (a[d] < b[d]) better = true;
  }
  return better;
}

std::vector<int> NonDominatedRanks(const std::vector<ObjectiveVector>& points) {
  if (points.empty()) return {};
  if (points[0].size() == 2) return Ranks2(points);
  return RanksN(points);
}

std::vector<std::size_t> ParetoFront(const std::vector<ObjectiveVector>& points) {
  const std::vector<int> rank = NonDominatedRanks(points);
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (rank[i] == 0) front.push_back(i);
  }
  return front;
}

double Hypervolume(std::vector<ObjectiveVector> points, const ObjectiveVector& reference) {
  std::erase_if(points, [&](const ObjectiveVector& p) {
    for (std::size_t d = 0; d < p.size(); ++d) {
      if (!(p[d] < reference[d])) return true;
    }
    return false;
  });
  if (points.empty()) return 0;
  if (reference.size() == 1) {
    double best = points[0][0];
    for (const auto& p : points) best = std::min(best, p[0]);
    return reference[0] - best;
  }
  return Volume(NonDominated(std::move(points)), reference);
}

std::vector<double> HypervolumeContributions(const std::vector<ObjectiveVector>& points,
                                             const ObjectiveVector& reference) {
  const double all = Hypervolume(points, reference);
  std::vector<double> out(points.size(), 0);
  for (std::size_t i = 0; i < points.size(); ++i) {
    std::vector<ObjectiveVector> others;
    others.reserve(points.size() - 1);
    for (std::size_t j = 0; j < points.size(); ++j) {
      if (j != i) others.push_back(points[j]);
    }
    out[i] = std::max(0.0, all - Hypervolume(std::move(others), reference));
  }
  return out;
}

std::vector<std::size_t> GreedyHypervolumeSubset(const std::vector<ObjectiveVector>& points, std::size_t k,
                                                 const ObjectiveVector& reference) {
  std::vector<std::size_t> distinct, duplicates;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const bool seen =
        std::any_of(distinct.begin(), distinct.end(), [&](std::size_t j) { return points[j] == points[i]; });
    (seen ? duplicates : distinct).push_back(i);
  }
  std::vector<std::size_t> chosen;
  if (distinct.size() <= k) {
    chosen = distinct;
    chosen.insert(chosen.end(), duplicates.begin(),
                  duplicates.begin() + static_cast<std::ptrdiff_t>(k - distinct.size()));
  } else {
    std::vector<ObjectiveVector> taken;
    double volume = 0;
    while (chosen.size() < k) {
      std::size_t best = 0;
      double best_gain = -1;
      for (std::size_t c = 0; c < distinct.size(); ++c) {
        taken.push_back(points[distinct[c]]);
        const double gain = Hypervolume(taken, reference) - volume;
        taken.pop_back();
        if (gain > best_gain) {
          best_gain = gain;
          best = c;
        }
      }
      chosen.push_back(distinct[best]);
      taken.push_back(points[distinct[best]]);
      volume += best_gain;
      distinct.erase(distinct.begin() + static_cast<std::ptrdiff_t>(best));
    }
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

std::vector<double> CrowdingDistances(const std::vector<ObjectiveVector>& front) {
  const std::size_t n = front.size();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> distance(n, 0);
  if (n == 0) return distance;
  std::vector<std::size_t> order(n);
  for (std::size_t m = 0; m < front[0].size(); ++m) {
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return front[a][m] < front[b][m]; });
    const double range = front[order.back()][m] - front[order.front()][m];
    if (range <= 0) continue;  // every point alike in this objective: it tells none apart
    distance[order.front()] = distance[order.back()] = kInf;
    for (std::size_t i = 1; i + 1 < n; ++i)
      distance[order[i]] += (front[order[i + 1]][m] - front[order[i - 1]][m]) / range;
  }
  return distance;
}

}  // namespace hpsearch::search
