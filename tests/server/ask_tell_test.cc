// Ask and tell (`trainer: external`): a client asks for each trial and reports on
// its lease as a worker does. The sweep's trials go to asks for that sweep only, and
// an ask takes nothing else; leases, pruning, budgets and restarts behave as for any
// other trial.
#include <filesystem>
#include <string>

#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/scheduler_fixture.h"
#include "tests/testing/status_matchers.h"

namespace hpsearch::scheduler::test {
namespace {

using ::hpsearch::testing::StatusIs;
using ::testing::HasSubstr;

const std::string kExternal = R"(
name: nb
trainer: external
objective: {metric: val_loss, goal: minimize}
method: random
budget: {max_trials: 3}
parameters:
  x: {min: -10, max: 10}
  kind: {values: [a, b]}
)";

class AskTellTest : public SchedulerTest {
 protected:
  Scheduler::Asked Ask(const std::string& sweep, const std::string& client = "sdk/host-1",
                       const std::string& request = "") {
    auto a = scheduler_->Ask(sweep, client, request);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : Scheduler::Asked{};
  }
};

TEST_F(AskTellTest, AnExternalSweepsTrialsGoOnlyToAsksForIt) {
  const store::SweepRecord ext = Submit(kExternal);
  const store::SweepRecord grid = Submit(kGrid);
  // A worker slot gets the grid's trials, never the external sweep's.
  for (int i = 0; i < 6; ++i) {
    auto l = Acquire("embedded-0");
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->key.sweep_id, grid.id);
  }
  EXPECT_FALSE(Acquire("embedded-0").has_value());
  // An ask gets the external sweep's, with its parameters and seed, and no command.
  auto a = Ask("nb");
  ASSERT_TRUE(a.lease.has_value());
  EXPECT_EQ(a.lease->key.sweep_id, ext.id);
  EXPECT_EQ(a.lease->key.index, 0);
  EXPECT_TRUE(a.lease->params.count("x"));
  EXPECT_TRUE(a.lease->params.count("kind"));
  EXPECT_NE(a.lease->seed, 0u);
  EXPECT_FALSE(a.lease->command.has_value());
  EXPECT_EQ(a.lease->objective_metric, "val_loss");
  EXPECT_FALSE(a.finished);
  EXPECT_EQ(a.sweep.counts.running, 1);
  // Told like a worker's result: the trial completes under the asking client's name.
  ASSERT_TRUE(Complete(*a.lease, 0.25).ok());
  auto t = scheduler_->GetSweep(ext.id);
  EXPECT_EQ(t->counts.completed, 1);
  EXPECT_EQ(t->best_trial, 0);
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& r) {
                    EXPECT_EQ(r.GetTrial(*store::ParseSweepId(ext.id), 0)->worker, "sdk/host-1");
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_F(AskTellTest, AskingASweepOfAnotherTrainerIsRefusedSayingWhy) {
  const store::SweepRecord grid = Submit(kGrid);
  EXPECT_THAT(scheduler_->Ask(grid.id, "sdk/h", ""),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("trainer: external")));
  EXPECT_THAT(scheduler_->Ask("no-such-sweep", "sdk/h", ""), StatusIs(absl::StatusCode::kNotFound));
  const store::SweepRecord ext = Submit(kExternal);
  EXPECT_THAT(scheduler_->Ask(ext.id, "embedded-0", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("the server's own slots")));
}

// Every trial handed out is not the end: a lost lease's trial comes back to the next
// ask (a client that crashed near the end leaves it to the others). Finished is the
// sweep's end.
TEST_F(AskTellTest, HandedOutUntilTheSweepEndsAndALostTrialComesBack) {
  const store::SweepRecord s = Submit(kExternal);
  std::vector<Lease> held;
  for (int i = 0; i < 3; ++i) {
    auto a = Ask(s.id);
    ASSERT_TRUE(a.lease.has_value());
    EXPECT_EQ(a.lease->key.index, i);
    held.push_back(*a.lease);
  }
  auto none = Ask(s.id, "sdk/other");
  EXPECT_FALSE(none.lease.has_value());
  EXPECT_FALSE(none.finished) << "the sweep still runs";
  EXPECT_TRUE(none.handed_out) << "every trial of the budget is out";
  ASSERT_TRUE(Complete(held[0], 0.5).ok());  // two are told; the third's client vanishes
  ASSERT_TRUE(Complete(held[1], 0.5).ok());
  now_ += 1001;
  scheduler_->Tick();
  auto back = Ask(s.id, "sdk/other");
  ASSERT_TRUE(back.lease.has_value()) << "the lost trial comes back";
  EXPECT_EQ(back.lease->key.index, 2);
  EXPECT_EQ(back.lease->key.attempt, 2);
  ASSERT_TRUE(Complete(*back.lease, 0.5).ok());
  EXPECT_EQ(Get(s.id).status, SweepStatus::kCompleted);
  auto after = Ask(s.id);
  EXPECT_FALSE(after.lease.has_value());
  EXPECT_TRUE(after.finished);
  EXPECT_EQ(after.sweep.status, SweepStatus::kCompleted);
}

TEST_F(AskTellTest, MaxConcurrentMakesAnAskWaitNotFinish) {
  const store::SweepRecord s = Submit(kExternal + "parallelism: {max_concurrent: 1}\n");
  auto first = Ask(s.id);
  ASSERT_TRUE(first.lease.has_value());
  auto second = Ask(s.id);
  EXPECT_FALSE(second.lease.has_value());
  EXPECT_FALSE(second.finished) << "one may come once the first is told";
  EXPECT_FALSE(second.handed_out);
  ASSERT_TRUE(Complete(*first.lease, 1.0).ok());
  EXPECT_TRUE(Ask(s.id).lease.has_value());
}

TEST_F(AskTellTest, ARetriedAskGetsTheSameLease) {
  const store::SweepRecord s = Submit(kExternal);
  auto a = Ask(s.id, "sdk/h", "req-1");
  auto again = Ask(s.id, "sdk/h", "req-1");
  ASSERT_TRUE(a.lease && again.lease);
  EXPECT_EQ(again.lease->key.index, a.lease->key.index);
  EXPECT_EQ(again.lease->key.lease_id, a.lease->key.lease_id);
  auto next = Ask(s.id, "sdk/h", "req-2");
  ASSERT_TRUE(next.lease.has_value());
  EXPECT_EQ(next.lease->key.index, a.lease->key.index + 1);
}

TEST_F(AskTellTest, AnExpiredLeaseComesBackToALaterAsk) {
  const store::SweepRecord s = Submit(kExternal);
  auto lost = Ask(s.id);
  now_ += 1001;  // no heartbeat within the lease
  scheduler_->Tick();
  auto again = Ask(s.id);
  ASSERT_TRUE(again.lease.has_value());
  EXPECT_EQ(again.lease->key.index, lost.lease->key.index);
  EXPECT_EQ(again.lease->key.attempt, 2);
  EXPECT_EQ(again.lease->params, lost.lease->params);
  EXPECT_THAT(Complete(*lost.lease, 0.1), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_TRUE(Complete(*again.lease, 0.1).ok());
}

TEST_F(AskTellTest, AReportIsTheHeartbeatAndThePrunerAnswersIt) {
  const store::SweepRecord s = Submit(R"(
name: nb-pruned
trainer: external
objective: {metric: val_loss, goal: minimize}
method: random
budget: {max_trials: 4}
fixed: {epochs: 3}
pruning: {method: median, startup_trials: 1, warmup_epochs: 0}
parameters:
  x: {min: -10, max: 10}
)");
  auto good = Ask(s.id);
  for (int e = 1; e <= 3; ++e) {
    now_ += 600;  // past the lease but for the report before it
    ASSERT_TRUE(Epoch(*good.lease, e, 0.1).ok());
  }
  ASSERT_TRUE(Complete(*good.lease, 0.1).ok());
  auto bad = Ask(s.id);
  auto reply = Epoch(*bad.lease, 1, 5.0);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_TRUE(reply->stop) << "worse than the median at epoch 1";
  EXPECT_EQ(Get(s.id).counts.pruned, 1);
}

TEST_F(AskTellTest, AResultToldAfterARestartIsTaken) {
  const std::string db = FileDb("asktell");
  Open(db);
  const store::SweepRecord s = Submit(kExternal);
  auto a = Ask(s.id);
  Open(db);  // the server restarts while the client runs its trial
  ASSERT_TRUE(Complete(*a.lease, 0.2).ok());
  EXPECT_EQ(Get(s.id).counts.completed, 1);
  auto next = Ask(s.id);
  ASSERT_TRUE(next.lease.has_value());
  EXPECT_EQ(next.lease->key.index, 1);
  scheduler_.reset();
  store_.reset();
}

}  // namespace
}  // namespace hpsearch::scheduler::test
