// Thinning the optimization history for large sweeps (scheduler/history.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/util/rng.h"
#include "server/scheduler/history.h"

namespace hpsearch::scheduler {
namespace {

std::vector<HistoryPoint> Points(const std::vector<double>& values) {
  std::vector<HistoryPoint> out;
  for (size_t i = 0; i < values.size(); ++i) {
    out.push_back(HistoryPoint{static_cast<int64_t>(i) + 1, static_cast<int64_t>(i), values[i], false});
  }
  return out;
}

TEST(History, SmallHistoriesAreWholeAndTheBestLineStepsAtImprovements) {
  auto all = Points({0.5, 0.7, 0.6, 0.9, 0.8});
  all[2].pruned = true;
  const History h = Thin(all, /*maximize=*/true, 100);
  EXPECT_EQ(h.total, 5);
  EXPECT_EQ(h.points.size(), 5u);
  const std::vector<std::pair<int64_t, double>> best = {{1, 0.5}, {2, 0.7}, {4, 0.9}, {5, 0.9}};
  EXPECT_EQ(h.best, best);
  // Minimizing, a pruned trial never counts as the best.
  auto down = Points({0.5, 0.1, 0.3});
  down[1].pruned = true;
  const std::vector<std::pair<int64_t, double>> min_best = {{1, 0.5}, {3, 0.3}};
  EXPECT_EQ(Thin(down, false, 100).best, min_best);
  // Nor does a failed one, though it is plotted.
  auto failing = Points({0.5, 0.1, 0.3});
  failing[1].failed = true;
  const History f = Thin(failing, false, 100);
  EXPECT_EQ(f.best, min_best);
  EXPECT_EQ(f.points.size(), 3u);
  EXPECT_TRUE(f.points[1].failed);
}

TEST(History, LargeHistoriesKeepEveryImprovementAndTheExtremesWithinTheBudget) {
  Rng rng(3);
  std::vector<double> values;
  for (int i = 0; i < 100'000; ++i) values.push_back(rng.Uniform());
  const auto all = Points(values);
  const History h = Thin(all, true, 5000);
  EXPECT_EQ(h.total, 100'000);
  EXPECT_LE(h.points.size(), 5000u);
  EXPECT_GE(h.points.size(), 4500u);
  EXPECT_TRUE(std::is_sorted(h.points.begin(), h.points.end(),
                             [](const HistoryPoint& a, const HistoryPoint& b) { return a.order < b.order; }));
  std::set<int64_t> kept;
  for (const auto& p : h.points) kept.insert(p.order);
  EXPECT_EQ(kept.size(), h.points.size());  // no point twice
  for (const auto& [order, value] : h.best) {
    if (order != 100'000) {
      EXPECT_TRUE(kept.count(order)) << "improvement at " << order << " dropped";
    }
  }
  EXPECT_LT(h.best.size(), 100u);  // random values improve about ln(n) times
  // The 500 best and 500 worst values are all there.
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  int best = 0, worst = 0;
  for (const auto& p : h.points) {
    best += p.value >= sorted[sorted.size() - 500];
    worst += p.value <= sorted[499];
  }
  EXPECT_GE(best, 500);
  EXPECT_GE(worst, 500);
}

TEST(History, AHistoryThatImprovesEveryTimeIsSpreadAndEndsAtItsLastImprovement) {
  std::vector<double> rising;
  for (int i = 0; i < 20'000; ++i) rising.push_back(i);
  const History h = Thin(Points(rising), true, 1000);
  EXPECT_LE(h.points.size(), 1000u);
  EXPECT_EQ(h.points.back().order, 20'000);
  EXPECT_EQ(h.best.size(), 500u);  // the line too: half the budget
  EXPECT_EQ(h.best.back().first, 20'000);
}

}  // namespace
}  // namespace hpsearch::scheduler
