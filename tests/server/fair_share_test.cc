// FairShare: which sweep gets the next free slot, as a pure function.
#include <gtest/gtest.h>

#include "server/scheduler/fair_share.h"

namespace hpsearch::scheduler {
namespace {

ShareCandidate C(int64_t sweep, int64_t running, int64_t last_served = 0, bool has_work = true,
                 int32_t max_concurrent = 0, bool past_deadline = false) {
  return ShareCandidate{sweep, has_work, running, max_concurrent, past_deadline, last_served};
}

TEST(FairShare, NobodyToServeIsNone) {
  EXPECT_EQ(FairShare({}), std::nullopt);
  EXPECT_EQ(FairShare({C(1, 0, 0, /*has_work=*/false)}), std::nullopt);
}

TEST(FairShare, TheSweepWithFewestRunningTrialsGoesFirst) { EXPECT_EQ(FairShare({C(1, 3), C(2, 1), C(3, 2)}), 2); }

TEST(FairShare, TiesGoToTheOneServedLongestAgoThenTheFirstListed) {
  EXPECT_EQ(FairShare({C(1, 1, /*last_served=*/9), C(2, 1, /*last_served=*/4)}), 2);
  EXPECT_EQ(FairShare({C(5, 0, 3), C(6, 0, 3)}), 5);
}

TEST(FairShare, SweepsAtTheirCapPastTheirDeadlineOrWithoutWorkAreSkipped) {
  EXPECT_EQ(FairShare({C(1, 2, 0, true, /*max_concurrent=*/2), C(2, 5)}), 2);
  EXPECT_EQ(FairShare({C(1, 0, 0, true, 0, /*past_deadline=*/true), C(2, 5)}), 2);
  EXPECT_EQ(FairShare({C(1, 0, 0, /*has_work=*/false), C(2, 5)}), 2);
  EXPECT_EQ(FairShare({C(1, 2, 0, true, 2), C(2, 0, 0, true, 0, true)}), std::nullopt);
}

TEST(FairShare, RoundRobinEmergesFromServingOrder) {
  // Three equal sweeps served in turn: each lease bumps last_served and running.
  std::vector<ShareCandidate> c{C(1, 0), C(2, 0), C(3, 0)};
  std::vector<int64_t> order;
  for (int64_t seq = 1; seq <= 6; ++seq) {
    const auto pick = FairShare(c);
    ASSERT_TRUE(pick.has_value());
    order.push_back(*pick);
    for (auto& x : c) {
      if (x.sweep == *pick) {
        x.last_served = seq;
        ++x.running;
      }
    }
  }
  EXPECT_EQ(order, (std::vector<int64_t>{1, 2, 3, 1, 2, 3}));
}

}  // namespace
}  // namespace hpsearch::scheduler
