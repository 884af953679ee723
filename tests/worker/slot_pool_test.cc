// SlotPool against a fake source: every lease trained once across the slots, results
// kept while the source is unavailable, stop directives obeyed, heartbeats while an
// epoch is slow, and shutdown handing running trials back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/worker/fake_trial_source.h"
#include "worker/runtime/slot_pool.h"

namespace hpsearch::runtime {
namespace {

using test::FakeSource;
using test::TinyLease;
using ::testing::HasSubstr;

std::vector<Lease> Leases(int n, int epochs = 2) {
  std::vector<Lease> out;
  for (int i = 0; i < n; ++i) out.push_back(TinyLease(i, epochs));
  return out;
}

class SlotPoolTest : public ::testing::Test {
 protected:
  data::DatasetCache cache_{data::DataEnvironment{}};
};

TEST(HeartbeatInterval, AThirdOfTheLeaseBetween50msAnd5s) {
  using std::chrono::milliseconds;
  EXPECT_EQ(HeartbeatInterval(900), milliseconds(300));
  EXPECT_EQ(HeartbeatInterval(30'000), milliseconds(5000));
  EXPECT_EQ(HeartbeatInterval(60), milliseconds(50));
  EXPECT_EQ(HeartbeatInterval(0), milliseconds(50));
}

TEST_F(SlotPoolTest, TwoSlotsTrainEveryLeaseExactlyOnce) {
  FakeSource source(Leases(8));
  PoolOptions o;
  o.slots = 2;
  o.worker_prefix = "w-";
  SlotPool pool(source, cache_, o);
  source.HoldEpochs(/*until_heartbeat=*/false);
  pool.Start();
  // Both slots inside a trial at once, each on its own.
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.held_ == 2; }));
  source.Release();
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.completed_.size() == 8; }));
  EXPECT_TRUE(pool.Stop(std::chrono::seconds(5), std::chrono::seconds(5)));
  std::set<int64_t> seen;
  for (const auto& r : source.completed_) {
    EXPECT_EQ(r.key.sweep_id, "s-000001");
    EXPECT_TRUE(seen.insert(r.key.index).second) << "trial " << r.key.index << " completed twice";
    EXPECT_EQ(source.epochs_[r.key.index], (std::vector<int>{1, 2}));
  }
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_TRUE(source.failed_.empty());
  EXPECT_EQ(source.workers_, (std::set<std::string>{"w-0", "w-1"}));
}

// A trial running alone borrows the idle slot's core for its products (the tail of a
// sweep), and its results are the bits it gets without: the same lease through a
// pool that keeps every trial on one thread.
TEST_F(SlotPoolTest, ALoneTrialUsesTheIdleSlotsCoreWithTheSameResult) {
  Lease big = TinyLease(0, 2);
  big.dataset.name = "spiral";
  big.dataset.samples = 600;
  big.params["hidden"] = Value(Value::List{Value(int64_t{256}), Value(int64_t{128})});
  big.params["batch_size"] = Value(int64_t{64});
  std::vector<TrialResult> results;
  for (int max_step_threads : {2, 1}) {
    FakeSource source({big});
    PoolOptions o;
    o.slots = 2;
    o.max_step_threads = max_step_threads;
    SlotPool pool(source, cache_, o);
    pool.Start();
    ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.completed_.size() == 1; }));
    EXPECT_TRUE(pool.Stop(std::chrono::seconds(5), std::chrono::seconds(5)));
    results.push_back(source.completed_[0]);
    if (max_step_threads == 2) {
      EXPECT_GT(pool.spare_runs(), 0) << "the lone trial never used the spare core";
    } else {
      EXPECT_EQ(pool.spare_runs(), 0);
    }
  }
  EXPECT_EQ(results[0].metrics, results[1].metrics);
}

TEST_F(SlotPoolTest, ACompletionIsKeptAndRetriedWhileTheSourceIsUnavailable) {
  FakeSource source(Leases(1));
  source.unavailable_completes_ = 3;
  SlotPool pool(source, cache_, {});
  pool.Start();
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.completed_.size() == 1; }));
  EXPECT_TRUE(pool.Stop(std::chrono::seconds(5), std::chrono::seconds(5)));
  EXPECT_EQ(source.complete_calls_, 4);
  EXPECT_EQ(source.completed_[0].key.index, 0);
  EXPECT_TRUE(source.completed_[0].metrics.count("val_loss"));
}

// The trial trains on while its source cannot take reports, and every epoch it could
// not take is sent again, in order, before the next one and before the completion:
// the stored curve has no hole.
TEST_F(SlotPoolTest, AnUnreachableSourceDuringTrainingDoesNotStopTheTrial) {
  FakeSource source(Leases(1, 3));
  source.unavailable_reports_ = 2;  // the first two report calls are not taken
  SlotPool pool(source, cache_, {});
  pool.Start();
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.completed_.size() == 1; }));
  EXPECT_TRUE(pool.Stop(std::chrono::seconds(5), std::chrono::seconds(5)));
  EXPECT_EQ(source.epochs_[0], (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(source.failed_.empty());
}

TEST_F(SlotPoolTest, AStopDirectiveEndsTheTrialWithoutAResult) {
  FakeSource source(Leases(1, 10));
  source.stop_at_epoch_ = 2;
  SlotPool pool(source, cache_, {});
  pool.Start();
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.epochs_[0].size() == 2; }));
  EXPECT_TRUE(pool.Stop(std::chrono::seconds(5), std::chrono::seconds(5)));
  EXPECT_EQ(source.epochs_[0], (std::vector<int>{1, 2}));
  EXPECT_TRUE(source.completed_.empty());
  EXPECT_TRUE(source.failed_.empty());
}

TEST_F(SlotPoolTest, ASlowEpochIsCoveredByHeartbeats) {
  FakeSource source(Leases(1));
  source.lease_ms_ = 150;  // heartbeats every 50 ms
  source.HoldEpochs(/*until_heartbeat=*/true);
  Lease l = TinyLease(0);
  l.lease_ms = 150;
  source.leases_ = {l};
  SlotPool pool(source, cache_, {});
  pool.Start();
  // The first epoch report is held until a bare heartbeat for the same trial arrives
  // from the pool's heartbeat thread.
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.heartbeats_[0] > 0; }));
  source.Release();
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.completed_.size() == 1; }));
  EXPECT_TRUE(pool.Stop(std::chrono::seconds(5), std::chrono::seconds(5)));
}

TEST_F(SlotPoolTest, ALeaseShortenedByTheSourceIsHeartbeatWithinItsNewInterval) {
  // Leased for 30 s (a heartbeat due in 5 s); the reply to the first epoch, held until
  // the heartbeat thread is asleep for those 5 s, shortens the lease to 150 ms
  // (heartbeats every 50 ms): the thread must wake for the nearer deadline, well
  // before the short lease lapses, not at the old one.
  FakeSource source(std::vector<Lease>{});
  source.lease_ms_ = 150;
  source.HoldEpochs(/*until_heartbeat=*/false);
  Lease l = TinyLease(0, 3);
  l.lease_ms = 30'000;
  source.leases_ = {l};
  SlotPool pool(source, cache_, {});
  pool.Start();
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.held_ == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the heartbeat thread waits
  // Not yet heard from (else this test could not tell the old deadline from the new).
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.heartbeats_[0] == 0; }));
  const auto shortened = std::chrono::steady_clock::now();
  source.HoldEpochs(/*until_heartbeat=*/true, /*from_epoch=*/2);  // epoch 1 answered
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.heartbeats_[0] > 0; }));
  // 20 intervals of the short lease, where the old deadline is 4.8 s away.
  EXPECT_LT(std::chrono::steady_clock::now() - shortened, std::chrono::milliseconds(1000));
  source.Release();
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.completed_.size() == 1; }));
  EXPECT_TRUE(pool.Stop(std::chrono::seconds(5), std::chrono::seconds(5)));
}

TEST_F(SlotPoolTest, ShutdownHandsARunningTrialBack) {
  // 100,000 epochs: the trial cannot finish on its own within the test.
  FakeSource source({TinyLease(0, 100'000)});
  SlotPool pool(source, cache_, {});
  pool.Start();
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return !s.epochs_[0].empty(); }));
  EXPECT_TRUE(pool.Stop(std::chrono::milliseconds(0), std::chrono::seconds(30)));
  ASSERT_EQ(source.failed_.size(), 1u);
  EXPECT_EQ(source.failed_[0].key.index, 0);
  EXPECT_FALSE(source.failed_[0].permanent);  // handed back, not the trial's fault
  EXPECT_THAT(source.failed_[0].reason, HasSubstr("shutting down"));
  EXPECT_TRUE(source.completed_.empty());
  EXPECT_EQ(pool.busy(), 0);
}

TEST_F(SlotPoolTest, IdleSlotsPickUpWorkThatArrivesLater) {
  FakeSource source(std::vector<Lease>{});
  SlotPool pool(source, cache_, {});
  pool.Start();
  source.Add(TinyLease(5));
  ASSERT_TRUE(source.WaitUntil([](FakeSource& s) { return s.completed_.size() == 1; }));
  EXPECT_TRUE(pool.Stop(std::chrono::seconds(5), std::chrono::seconds(5)));
  EXPECT_EQ(source.completed_[0].key.index, 5);
}

}  // namespace
}  // namespace hpsearch::runtime
