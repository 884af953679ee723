// Pruners on scripted learning curves: exact prune/continue decisions per the rules
// (docs/spec.md, "pruning"), ties, too few trials, and a restart mid-rung.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "search/hyperband_pruner.h"
#include "search/median_pruner.h"
#include "search/successive_halving.h"

namespace hpsearch::search {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

Pruning Median(int startup, int warmup, int interval) {
  Pruning p;
  p.method = PruningMethod::kMedian;
  p.startup_trials = startup;
  p.warmup_epochs = warmup;
  p.interval = interval;
  return p;
}

// Reports a whole curve (epochs 1, 2, ...) of a trial that then completes (what
// the pruner said along the way does not matter here).
void Complete(Pruner& p, int64_t index, const std::vector<double>& curve) {
  for (std::size_t e = 0; e < curve.size(); ++e) (void)p.Report(index, e + 1, curve[e]);
  p.Finished(index, true);
}

TEST(MedianPruner, PrunesBelowTheMedianOfCompletedTrialsAtThatEpoch) {
  MedianPruner p(Median(3, 0, 1), "val_accuracy", /*maximize=*/true);
  Complete(p, 0, {0.5, 0.6, 0.7});
  Complete(p, 1, {0.6, 0.7, 0.8});
  // Two completed trials: fewer than startup_trials, nothing is judged.
  EXPECT_FALSE(p.Report(2, 1, 0.1).has_value());
  p.Finished(2, false);  // (pruned or failed: it never enters the median)
  Complete(p, 3, {0.7, 0.8, 0.9});
  // Medians: epoch 1 0.6, epoch 2 0.7.
  EXPECT_FALSE(p.Report(4, 1, 0.6).has_value());  // a tie goes on
  auto why = p.Report(4, 2, 0.55);                // best so far 0.6 < 0.7
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why, "pruned at epoch 2: best val_accuracy 0.6 below the median 0.7 of 3 completed trials at that epoch");
  // The best value so far counts, not the latest.
  EXPECT_FALSE(p.Report(5, 1, 0.9).has_value());
  EXPECT_FALSE(p.Report(5, 2, 0.65).has_value());
  EXPECT_FALSE(p.Report(5, 3, 0.1).has_value());  // best so far 0.9, median 0.8
  // No completed trial reached epoch 4: nothing to compare with.
  EXPECT_FALSE(p.Report(6, 4, 0.0).has_value());
}

TEST(MedianPruner, EvenCountsAverageTheMiddleTwoAndMinimisingFlipsTheSide) {
  MedianPruner p(Median(1, 0, 1), "val_loss", /*maximize=*/false);
  Complete(p, 0, {1.0});
  Complete(p, 1, {2.0});
  // Median at epoch 1: 1.5.
  EXPECT_FALSE(p.Report(2, 1, 1.5).has_value());
  EXPECT_THAT(p.Report(3, 1, 1.6), Optional(HasSubstr("best val_loss 1.6 above the median 1.5 of 2")));
}

TEST(MedianPruner, WarmUpAndInterval) {
  MedianPruner p(Median(1, 2, 3), "val_accuracy", true);
  Complete(p, 0, std::vector<double>(10, 0.9));
  // Judged at epochs 5 and 8 only (after the 2 warm-up epochs, every 3).
  for (int e = 1; e <= 9; ++e) {
    const bool judged = p.Report(1, e, 0.1).has_value();
    EXPECT_EQ(judged, e == 5 || e == 8) << "epoch " << e;
  }
}

TEST(MedianPruner, ARetriedAttemptStartsItsCurveOver) {
  MedianPruner p(Median(1, 0, 1), "val_accuracy", true);
  Complete(p, 0, {0.5, 0.5});
  EXPECT_FALSE(p.Report(1, 1, 0.9).has_value());
  // The lease was lost; attempt 2 starts again at epoch 1 and does worse: its old
  // 0.9 no longer counts.
  EXPECT_TRUE(p.Report(1, 1, 0.4).has_value());
}

TEST(SuccessiveHalving, RungsAtRTimesEtaToTheKWhileEtaTimesMoreFits) {
  EXPECT_EQ(SuccessiveHalving(1, 3, 0, 10, "m", true).rungs(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(SuccessiveHalving(1, 3, 0, 9, "m", true).rungs(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(SuccessiveHalving(1, 3, 0, 27, "m", true).rungs(), (std::vector<int64_t>{1, 3, 9}));
  EXPECT_EQ(SuccessiveHalving(2, 2, 0, 20, "m", true).rungs(), (std::vector<int64_t>{2, 4, 8}));
  EXPECT_EQ(SuccessiveHalving(1, 3, 1, 10, "m", true).rungs(), (std::vector<int64_t>{3}));
  EXPECT_TRUE(SuccessiveHalving(1, 3, 2, 10, "m", true).rungs().empty());  // Hyperband's full-budget bracket
}

TEST(SuccessiveHalving, KeepsTheTopThirdOfEachRung) {
  SuccessiveHalving sh(1, 3, 0, 27, "val_accuracy", true);
  // Fewer than η at the rung: only the best so far goes on.
  EXPECT_FALSE(sh.Report(0, 1, 0.5).has_value());
  EXPECT_THAT(sh.Report(1, 1, 0.4), Optional(HasSubstr("is not the best of the 2 trials at this rung (0.5)")));
  EXPECT_FALSE(sh.Report(2, 1, 0.5).has_value());  // a tie with the best goes on
  // n = 4: keep the top ⌊4/3⌋ = 1: 0.6 is the best now.
  EXPECT_FALSE(sh.Report(3, 1, 0.6).has_value());
  // n = 5: top 1 — cut-off 0.6.
  EXPECT_THAT(sh.Report(4, 1, 0.55), Optional(HasSubstr("not in the top 1 of 5 trials at this rung (cut-off 0.6)")));
  // n = 6: top 2 — sorted 0.7, 0.6, ...: 0.6 ties the cut-off and goes on.
  EXPECT_FALSE(sh.Report(5, 1, 0.7).has_value());
  EXPECT_FALSE(sh.Report(6, 1, 0.6).has_value());  // n = 7, top 2: 0.7, 0.6 → tie goes on
  // Epochs between rungs are never judged.
  EXPECT_FALSE(sh.Report(4, 2, 0.0).has_value());
  // The next rung starts afresh.
  EXPECT_FALSE(sh.Report(5, 3, 0.1).has_value());
}

TEST(SuccessiveHalving, MinimisingKeepsTheSmallest) {
  SuccessiveHalving sh(1, 2, 0, 4, "val_loss", false);  // rungs 1, 2
  EXPECT_FALSE(sh.Report(0, 1, 1.0).has_value());
  EXPECT_FALSE(sh.Report(1, 1, 0.5).has_value());
  EXPECT_TRUE(sh.Report(2, 1, 0.9).has_value());  // top ⌊3/2⌋ = 1: 0.5
}

TEST(SuccessiveHalving, ARestartMidRungDecidesAsBefore) {
  // The live pruner, and one rebuilt from the stored curves after a crash.
  SuccessiveHalving live(1, 3, 0, 27, "val_accuracy", true);
  const std::vector<std::vector<double>> curves = {{0.5, 0.6, 0.7},   {0.4}, {0.6, 0.65, 0.66},
                                                   {0.55, 0.7, 0.75}, {0.3}, {0.62, 0.71}};
  for (std::size_t i = 0; i < curves.size(); ++i) {
    for (std::size_t e = 0; e < curves[i].size(); ++e) (void)live.Report(static_cast<int64_t>(i), e + 1, curves[i][e]);
  }
  SuccessiveHalving rebuilt(1, 3, 0, 27, "val_accuracy", true);
  for (std::size_t i = 0; i < curves.size(); ++i) {
    std::vector<std::pair<int64_t, double>> curve;
    for (std::size_t e = 0; e < curves[i].size(); ++e) curve.emplace_back(e + 1, curves[i][e]);
    rebuilt.Replay(static_cast<int64_t>(i), curve, i == 5 ? std::nullopt : std::optional<bool>(i % 2 == 0));
  }
  // Trial 5 was running at epoch 2; its epoch-3 report (rung 3) and newcomers at
  // rung 1 are judged the same way by both.
  for (double v : {0.6, 0.7, 0.8}) EXPECT_EQ(live.Report(5, 3, v), rebuilt.Report(5, 3, v)) << v;
  for (double v : {0.2, 0.58, 0.63}) EXPECT_EQ(live.Report(9, 1, v), rebuilt.Report(9, 1, v)) << v;
}

Pruning Hyperband(int min_epochs, int eta) {
  Pruning p;
  p.method = PruningMethod::kHyperband;
  p.min_epochs = min_epochs;
  p.reduction_factor = eta;
  return p;
}

TEST(Hyperband, BracketsAndBudgetsAreHyperbands) {
  const Pruning p = Hyperband(1, 3);
  // R/r = 81, η = 3: 5 brackets with Hyperband's n_i 81, 34, 15, 8, 5.
  HyperbandBrackets big(p, 81);
  EXPECT_EQ(big.budgets(), (std::vector<int64_t>{81, 34, 15, 8, 5}));
  HyperbandBrackets ten(p, 10);  // ⌊log₃ 10⌋ + 1 = 3 brackets: ⌈3·9/3⌉, ⌈3·3/2⌉, ⌈3/1⌉
  EXPECT_EQ(ten.budgets(), (std::vector<int64_t>{9, 5, 3}));
  // Trials are dealt in proportion to the budgets, by the sweep's seed.
  std::vector<int> count(3);
  for (int64_t i = 0; i < 17000; ++i) count[static_cast<std::size_t>(ten.BracketOf(42, i))]++;
  EXPECT_NEAR(count[0] / 17000.0, 9 / 17.0, 0.02);
  EXPECT_NEAR(count[1] / 17000.0, 5 / 17.0, 0.02);
  EXPECT_NEAR(count[2] / 17000.0, 3 / 17.0, 0.02);
  int moved = 0;  // another seed deals the same trials differently
  for (int64_t i = 0; i < 100; ++i) moved += ten.BracketOf(42, i) != ten.BracketOf(43, i);
  EXPECT_GT(moved, 20);
}

TEST(Hyperband, EachTrialCompetesOnlyInItsBracket) {
  const Pruning p = Hyperband(1, 3);
  HyperbandBrackets plan(p, 27);
  HyperbandPruner hb(plan, 42, "val_accuracy", true);
  // Bracket 0 judges at epochs 1, 3, 9; bracket 1 at 3 and 9; bracket 2 at 9; bracket 3 never.
  ASSERT_EQ(plan.brackets(), 4);
  std::map<int, std::vector<int64_t>> by_bracket;
  for (int64_t i = 0; i < 200; ++i) by_bracket[plan.BracketOf(42, i)].push_back(i);
  ASSERT_GE(by_bracket[1].size(), 2u);
  const int64_t a = by_bracket[1][0], b = by_bracket[1][1];
  EXPECT_FALSE(hb.Report(a, 1, 0.9).has_value());
  EXPECT_FALSE(hb.Report(b, 1, 0.1).has_value());  // no rung at epoch 1 in bracket 1
  EXPECT_FALSE(hb.Report(a, 3, 0.9).has_value());
  EXPECT_THAT(hb.Report(b, 3, 0.2), Optional(HasSubstr("(bracket 1)")));
  // A bracket-0 trial is not compared with bracket 1's values.
  const int64_t c = by_bracket[0][0];
  EXPECT_FALSE(hb.Report(c, 1, 0.05).has_value());
}

}  // namespace
}  // namespace hpsearch::search
