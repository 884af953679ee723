// What the scheduler takes from a worker: reports bound to the lease it was given
// (its random lease id, not a guessable attempt number), and every field of a
// report, completion or failure checked before anything is kept.
#include <cmath>
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

// The audit's forgery: a worker whose lease expired sends the next attempt's number.
// Its report, completion and failure are refused, the real holder's completion is
// stored, and a refused call is never answered OK (not even after the real one).
TEST_F(SchedulerTest, AWorkerCannotReportForAnAttemptItWasNotGiven) {
  const store::SweepRecord s = Submit(kGrid);
  auto old = Acquire("slow");
  now_ += 1001;  // its lease expires
  scheduler_->Tick();
  auto real = Acquire("fast");
  ASSERT_EQ(real->key.index, old->key.index);
  ASSERT_EQ(real->key.attempt, 2);
  EXPECT_EQ(real->key.lease_id.size(), 32u);
  EXPECT_NE(real->key.lease_id, old->key.lease_id);

  Lease forged = *old;
  forged.key.attempt = 2;  // guessed; its own (now void) lease id
  for (const std::string& id : {old->key.lease_id, std::string(), std::string(32, '0')}) {
    forged.key.lease_id = id;
    EXPECT_THAT(Epoch(forged, 1, 0.01), StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT(Complete(forged, 0.01), StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT(Fail(forged, "forged"), StatusIs(absl::StatusCode::kFailedPrecondition));
  }
  EXPECT_EQ(Get(s.id).counts.running, 1);
  ASSERT_TRUE(Complete(*real, 0.3).ok());
  ASSERT_TRUE(Complete(*real, 0.3).ok());  // its retry (a lost reply) is answered OK
  forged.key.lease_id = old->key.lease_id;
  EXPECT_THAT(Complete(forged, 0.01), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(Epoch(forged, 1, 0.01), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& r) {
                    auto t = r.GetTrial(*store::ParseSweepId(s.id), real->key.index);
                    EXPECT_EQ(t->status, TrialStatus::kCompleted);
                    EXPECT_EQ(t->objective.value(), 0.3);
                    EXPECT_EQ(t->worker, "fast");
                    return absl::OkStatus();
                  })
                  .ok());
}

// A remote worker keeps its lease across a restart of the server: the lease id comes
// back from the database, so the worker's next report is taken and a forger's is not.
TEST_F(SchedulerTest, ALeaseIdSurvivesARestart) {
  const std::string db = FileDb("leaseid");
  Open(db);
  Submit(kGrid);
  auto l = Acquire("remote-1");
  Open(db);  // the server restarts
  Lease forged = *l;
  forged.key.lease_id = std::string(32, 'f');
  EXPECT_THAT(Epoch(forged, 1, 0.5), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_TRUE(Epoch(*l, 1, 0.5).ok());
  ASSERT_TRUE(Complete(*l, 0.5).ok());
  scheduler_.reset();
  store_.reset();
}

// A trial that never completes keeps what its epochs said: the network's size (sent
// with every epoch) and the epoch it stopped at, beside that epoch's metrics.
TEST_F(SchedulerTest, APrunedTrialKeepsItsSizeAndTheEpochItStoppedAt) {
  const store::SweepRecord s = Submit(std::string("objective: {metric: val_loss, goal: minimize}\n") + R"(
name: pruned-size
dataset: {name: xor}
method: grid
fixed: {epochs: 3, hidden: [4]}
pruning: {method: median, startup_trials: 1, warmup_epochs: 0}
parameters:
  lr: {values: [0.1, 0.01]}
)");
  auto good = Acquire();
  for (int e = 1; e <= 3; ++e) ASSERT_TRUE(Epoch(*good, e, 0.1).ok());
  ASSERT_TRUE(Complete(*good, 0.1).ok());
  auto bad = Acquire();
  EpochReport r;
  r.key = bad->key;
  r.epoch = EpochMetrics{1, {{"val_loss", 5.0}, {"train_loss", 5.0}}, 0.1, 0};
  r.parameter_count = 29;
  auto reply = scheduler_->Report(r);
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_TRUE(reply->stop);
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& read) {
                    auto t = read.GetTrial(*store::ParseSweepId(s.id), bad->key.index);
                    EXPECT_EQ(t->status, TrialStatus::kPruned);
                    EXPECT_EQ(t->parameter_count, 29);
                    EXPECT_EQ(t->epochs_run, 1);
                    EXPECT_EQ(t->metrics.at("val_loss"), 5.0);
                    EXPECT_FALSE(t->objective.has_value());
                    auto done = read.GetTrial(*store::ParseSweepId(s.id), good->key.index);
                    EXPECT_EQ(done->epochs_run, 3);
                    return absl::OkStatus();
                  })
                  .ok());
}

// Each malformed report is refused whole with INVALID_ARGUMENT naming the field, and
// nothing of it is stored; the trial goes on and its real reports are taken.
TEST_F(SchedulerTest, MalformedReportsAreRefusedNamingTheField) {
  const store::SweepRecord s = Submit(kGrid);  // epochs: 2
  auto l = Acquire("remote-1");
  const auto refused = [&](EpochReport r, const std::string& field) {
    r.key = l->key;
    auto reply = scheduler_->Report(r);
    EXPECT_THAT(reply, StatusIs(absl::StatusCode::kInvalidArgument)) << field;
    if (!reply.ok()) {
      EXPECT_THAT(std::string(reply.status().message()), ::testing::StartsWith(field));
    }
  };
  EpochReport good;
  good.epoch = EpochMetrics{1, {{"val_loss", 0.5}}, 0.1, 0.2};
  EpochReport r = good;
  r.epoch->epoch = 2147483647;
  refused(r, "epoch.epoch: 2147483647 is outside 1..2");
  r = good;
  r.epoch->epoch = 0;
  refused(r, "epoch.epoch");
  r = good;
  r.epoch->metrics[std::string(3'000'000, 'x')] = 1;
  refused(r, "epoch.metrics: metric name 'xxx");
  r = good;
  r.epoch->metrics["val loss"] = 1;
  refused(r, "epoch.metrics: metric name 'val loss'");
  r = good;
  r.epoch->metrics["\x1b[2J"] = 1;
  refused(r, "epoch.metrics: metric name '\\x1b[2J'");
  r = good;
  for (int i = 0; i < 65; ++i) r.epoch->metrics["m" + std::to_string(i)] = i;
  refused(r, "epoch.metrics: 66 metrics; at most 64");
  r = good;
  r.epoch->lr = -0.1;
  refused(r, "epoch.lr");
  r = good;
  r.epoch->seconds = std::nan("");
  refused(r, "epoch.seconds");
  r = good;
  r.parameter_count = -3;
  refused(r, "parameter_count: -3 is outside 0..");
  r = good;
  r.diagnostics = ActivationStats{-7, {0.1}, {0.2}};
  refused(r, "diagnostics.epoch: -7 is outside 0..2");
  r = good;
  r.diagnostics = ActivationStats{1, {0.1, 0.2}, {0.2}};
  refused(r, "diagnostics: 2 means but 1 deviations");

  TrialResult done;
  done.key = l->key;
  done.metrics = {{"val_loss", 0.4}};
  for (int i = 0; i < 200; ++i) done.metrics["flood_" + std::to_string(i)] = i;
  EXPECT_THAT(scheduler_->Complete(done), StatusIs(absl::StatusCode::kInvalidArgument));
  done.metrics = {{"val_loss", 0.4}};
  done.parameter_count = -1;
  EXPECT_THAT(scheduler_->Complete(done), StatusIs(absl::StatusCode::kInvalidArgument));
  done.parameter_count = 10;
  done.diagnostics.assign(4, ActivationStats{0, {0.1}, {0.1}});  // 2 epochs: at most 3
  EXPECT_THAT(scheduler_->Complete(done), StatusIs(absl::StatusCode::kInvalidArgument));

  ASSERT_TRUE(scheduler_->Report(EpochReport{l->key, good.epoch, std::nullopt}).ok());
  done.diagnostics.clear();
  ASSERT_TRUE(scheduler_->Complete(done).ok());
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& rd) {
                    auto t = rd.GetTrial(*store::ParseSweepId(s.id), l->key.index);
                    EXPECT_EQ(t->status, TrialStatus::kCompleted);
                    EXPECT_EQ(t->epochs.size(), 1u);
                    EXPECT_EQ(t->metrics.size(), 1u);
                    EXPECT_TRUE(t->diagnostics.empty());
                    return absl::OkStatus();
                  })
                  .ok());
  ExpectSound();
}

// Non-finite activation statistics are the network diverging: the trial fails with
// the layer named, its earlier epochs kept, and nothing non-finite is stored.
TEST_F(SchedulerTest, NonFiniteDiagnosticsFailTheTrialAsDiverged) {
  const store::SweepRecord s = Submit(kGrid);
  auto l = Acquire("remote-1");
  ASSERT_TRUE(Epoch(*l, 1, 0.5).ok());
  EpochReport r;
  r.key = l->key;
  r.epoch = EpochMetrics{2, {{"val_loss", 0.4}}, 0.1, 0.2};
  r.diagnostics = ActivationStats{2, {0.1, 0.3}, {0.2, std::nan("")}};
  auto reply = scheduler_->Report(r);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_TRUE(reply->stop);
  EXPECT_EQ(reply->reason, "diverged: activation std of layer 2 is nan at epoch 2");
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& rd) {
                    auto t = rd.GetTrial(*store::ParseSweepId(s.id), l->key.index);
                    EXPECT_EQ(t->status, TrialStatus::kFailed);
                    EXPECT_EQ(t->epochs.size(), 1u);
                    return absl::OkStatus();
                  })
                  .ok());
  ExpectSound();
}

}  // namespace
}  // namespace hpsearch::scheduler::test
