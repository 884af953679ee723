// Pareto dominance, non-dominated ranks and hypervolume against hand-computed cases,
// and against brute-force definitions on random points.
#include "search/pareto.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

namespace hpsearch::search {
namespace {

using Points = std::vector<ObjectiveVector>;

TEST(Pareto, DominanceNeedsNoWorseEverywhereAndBetterSomewhere) {
  EXPECT_TRUE(Dominates({1, 2}, {2, 2}));
  EXPECT_TRUE(Dominates({1, 1}, {2, 2}));
  EXPECT_FALSE(Dominates({2, 2}, {1, 2}));
  EXPECT_FALSE(Dominates({1, 2}, {1, 2}));  // equal points: neither
  EXPECT_FALSE(Dominates({1, 3}, {2, 2}));  // a trade-off: neither
  EXPECT_FALSE(Dominates({2, 2}, {1, 3}));
}

TEST(Pareto, RanksOfAHandDrawnSetWithTiesAndADuplicate) {
  // (2,4) and (3,3) are dominated by (2,3) only; (4,4) by them too.
  const Points p = {{1, 5}, {2, 3}, {3, 1}, {2, 4}, {3, 3}, {4, 4}, {2, 3}};
  EXPECT_EQ(NonDominatedRanks(p), (std::vector<int>{0, 0, 0, 1, 1, 2, 0}));
  EXPECT_EQ(ParetoFront(p), (std::vector<std::size_t>{0, 1, 2, 6}));
  // A tie in one objective: the other decides.
  EXPECT_EQ(NonDominatedRanks({{1, 3}, {1, 2}, {2, 2}}), (std::vector<int>{1, 0, 1}));
}

TEST(Pareto, ADegenerateObjectiveLeavesTheOtherToRank) {
  EXPECT_EQ(NonDominatedRanks({{3, 0}, {1, 0}, {2, 0}, {1, 0}}), (std::vector<int>{2, 0, 1, 0}));
  EXPECT_EQ(NonDominatedRanks({{0, 3, 7}, {0, 1, 7}, {0, 2, 7}}), (std::vector<int>{2, 0, 1}));
  EXPECT_TRUE(NonDominatedRanks({}).empty());
}

// rank 0: nothing dominates the point; rank k > 0: 1 + the highest rank among the
// points that dominate it.
void ExpectRanksByDefinition(const Points& p, const std::vector<int>& rank) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    int expected = 0;
    for (std::size_t j = 0; j < p.size(); ++j) {
      if (Dominates(p[j], p[i])) expected = std::max(expected, rank[j] + 1);
    }
    EXPECT_EQ(rank[i], expected) << "point " << i;
  }
}

TEST(Pareto, RanksMeetTheirDefinitionOnRandomPointsWithTwoAndThreeObjectives) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> coarse(0, 6);  // many ties and duplicates
  for (int round = 0; round < 20; ++round) {
    Points two, three;
    for (int i = 0; i < 60; ++i) {
      two.push_back({static_cast<double>(coarse(rng)), static_cast<double>(coarse(rng))});
      three.push_back({two.back()[0], two.back()[1], static_cast<double>(coarse(rng))});
    }
    const std::vector<int> ranks2 = NonDominatedRanks(two);
    ExpectRanksByDefinition(two, ranks2);
    ExpectRanksByDefinition(three, NonDominatedRanks(three));
    // The two-objective sweep and the general sort agree (a constant third objective
    // sends the same points through the general one).
    Points padded = two;
    for (auto& q : padded) q.push_back(1);
    EXPECT_EQ(NonDominatedRanks(padded), ranks2);
  }
}

TEST(Pareto, HypervolumeOfHandComputedSets) {
  // Three boxes up to (4,4): strips of 3·1, 2·1 and 1·1.
  EXPECT_DOUBLE_EQ(Hypervolume({{1, 3}, {2, 2}, {3, 1}}, {4, 4}), 6);
  // A dominated point, a duplicate and a point at the reference add nothing.
  EXPECT_DOUBLE_EQ(Hypervolume({{1, 3}, {2, 2}, {3, 1}, {3, 3}, {2, 2}, {4, 0}}, {4, 4}), 6);
  EXPECT_DOUBLE_EQ(Hypervolume({{5, 5}}, {4, 4}), 0);
  EXPECT_DOUBLE_EQ(Hypervolume({}, {4, 4}), 0);
  // Three objectives: one box; two boxes of 4 overlapping in 2.
  EXPECT_DOUBLE_EQ(Hypervolume({{1, 1, 1}}, {2, 3, 4}), 6);
  EXPECT_DOUBLE_EQ(Hypervolume({{0, 0, 1}, {0, 1, 0}}, {2, 2, 2}), 6);
  // One objective: the distance from the best point.
  EXPECT_DOUBLE_EQ(Hypervolume({{3}, {1}, {5}}, {4}), 3);
}

// The union of the boxes by inclusion and exclusion over every subset.
double BruteForceVolume(const Points& p, const ObjectiveVector& reference) {
  double volume = 0;
  for (uint32_t mask = 1; mask < (1u << p.size()); ++mask) {
    ObjectiveVector corner(reference.size(), -1e300);
    int count = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (!(mask & (1u << i))) continue;
      ++count;
      for (std::size_t d = 0; d < corner.size(); ++d) corner[d] = std::max(corner[d], p[i][d]);
    }
    double box = 1;
    for (std::size_t d = 0; d < corner.size(); ++d) box *= std::max(0.0, reference[d] - corner[d]);
    volume += (count % 2 == 1 ? 1 : -1) * box;
  }
  return volume;
}

TEST(Pareto, HypervolumeMatchesInclusionExclusionOnRandomSets) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  for (int objectives : {2, 3, 4}) {
    for (int round = 0; round < 30; ++round) {
      Points p(1 + round % 8);
      for (auto& q : p) {
        for (int d = 0; d < objectives; ++d) q.push_back(u(rng));
      }
      const ObjectiveVector reference(objectives, 1.0);
      EXPECT_NEAR(Hypervolume(p, reference), BruteForceVolume(p, reference), 1e-12)
          << objectives << " objectives, " << p.size() << " points";
    }
  }
}

TEST(Pareto, AContributionIsWhatThePointAloneCovers) {
  const Points p = {{1, 3}, {2, 2}, {3, 1}, {3, 3}, {2, 2}};
  const std::vector<double> c = HypervolumeContributions(p, {4, 4});
  EXPECT_DOUBLE_EQ(c[0], 1);  // the 3·1 strip less the 2·1 the others cover of it
  EXPECT_DOUBLE_EQ(c[2], 1);
  EXPECT_DOUBLE_EQ(c[3], 0);  // dominated
  EXPECT_DOUBLE_EQ(c[1], 0);  // duplicated: either copy alone is enough
  EXPECT_DOUBLE_EQ(c[4], 0);
}

TEST(Pareto, GreedySubsetTakesThePointsThatAddTheMostVolume) {
  // Reference (4, 4): boxes (3×1) for (1,3), (2×2) for (2,2), (1×3) for (3,1). The
  // middle one adds 4; then each end adds 1 (its box less the overlap), a tie the
  // lower index wins.
  const Points front = {{1, 3}, {2, 2}, {3, 1}};
  EXPECT_EQ(GreedyHypervolumeSubset(front, 1, {4, 4}), (std::vector<std::size_t>{1}));
  EXPECT_EQ(GreedyHypervolumeSubset(front, 2, {4, 4}), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(GreedyHypervolumeSubset(front, 3, {4, 4}), (std::vector<std::size_t>{0, 1, 2}));
  // Reference (4, 5): (1,3) alone adds 3·2 = 6, (2,2) 2·3 = 6, (3,1) 1·4 = 4: the
  // tie goes to index 0.
  EXPECT_EQ(GreedyHypervolumeSubset(front, 1, {4, 5}), (std::vector<std::size_t>{0}));
  // Duplicates come last: two distinct points before the copy of the first.
  EXPECT_EQ(GreedyHypervolumeSubset({{1, 3}, {1, 3}, {3, 1}}, 2, {4, 4}), (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(GreedyHypervolumeSubset({{1, 3}, {1, 3}, {3, 1}}, 3, {4, 4}), (std::vector<std::size_t>{0, 1, 2}));
  // Three objectives: the corner point with the largest box alone.
  EXPECT_EQ(GreedyHypervolumeSubset({{1, 1, 3}, {0, 0, 2}, {3, 3, 0}}, 1, {4, 4, 4}), (std::vector<std::size_t>{1}));
}

TEST(Pareto, CrowdingDistanceIsTheNeighboursGapOverTheRangeWithInfiniteEnds) {
  // Objective 0 spans 0..4, objective 1 spans 0..8. (1,6): (2−0)/4 + (8−4)/8 = 1;
  // (2,4): (4−1)/4 + (6−0)/8 = 1.5.
  const std::vector<double> d = CrowdingDistances({{0, 8}, {1, 6}, {2, 4}, {4, 0}});
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(d[0], inf);
  EXPECT_DOUBLE_EQ(d[1], 1.0);
  EXPECT_DOUBLE_EQ(d[2], 1.5);
  EXPECT_EQ(d[3], inf);
  // An objective where all are alike tells none apart (Optuna's rule): only the other counts.
  const std::vector<double> flat = CrowdingDistances({{5, 0}, {5, 1}, {5, 3}});
  EXPECT_EQ(flat[0], inf);
  EXPECT_DOUBLE_EQ(flat[1], 1.0);
  EXPECT_EQ(flat[2], inf);
  EXPECT_EQ(CrowdingDistances({{1, 1}, {1, 1}}), (std::vector<double>{0, 0}));
}

}  // namespace
}  // namespace hpsearch::search
