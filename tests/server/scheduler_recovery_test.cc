// The scheduler across restarts and store outages: nothing run twice, nothing lost.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/store/integrity.h"
#include "tests/server/scheduler_fixture.h"

namespace hpsearch::scheduler::test {
namespace {

using ::hpsearch::testing::StatusIs;

TEST_F(SchedulerTest, RestartResumesWithoutRerunningOrLosingTrials) {
  const std::string db = FileDb("sched");
  Open(db);
  const store::SweepRecord s = Submit(std::string(kGrid) + "method: random\nbudget: {max_trials: 5}\n");
  std::map<int64_t, std::string> params;
  auto a = Acquire("embedded-0");
  ASSERT_TRUE(Complete(*a, 0.7).ok());
  auto b = Acquire("embedded-1");  // running in-process when the server dies
  auto c = Acquire("remote-1");    // running on a remote worker
  for (const auto* l : {&*a, &*b, &*c}) params[l->key.index] = l->params.at("lr").ToString();
  // "kill -9": drop everything without a clean shutdown.
  Open(db);
  store::SweepRecord resumed = Get(s.id);
  EXPECT_EQ(resumed.status, SweepStatus::kRunning);
  EXPECT_EQ(resumed.counts.completed, 1);
  EXPECT_EQ(resumed.counts.running, 1);  // the remote trial keeps its lease
  EXPECT_EQ(resumed.counts.pending + resumed.not_started, 3);
  // The remote worker carries on under its attempt.
  ASSERT_TRUE(Epoch(*c, 1, 0.6).ok());
  ASSERT_TRUE(Complete(*c, 0.6).ok());
  std::set<int64_t> ran;
  while (auto l = Acquire("embedded-0")) {
    EXPECT_NE(l->key.index, a->key.index);
    if (l->key.index == b->key.index) {
      EXPECT_EQ(l->key.attempt, 2);
      EXPECT_EQ(l->params.at("lr").ToString(), params[b->key.index]);
    }
    EXPECT_TRUE(ran.insert(l->key.index).second);
    ASSERT_TRUE(Complete(*l, 0.1 * l->key.index).ok());
  }
  EXPECT_EQ(ran.size(), 3u);  // b again, plus the two never started
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_EQ(done.counts.completed, 5);
  scheduler_.reset();
  store_.reset();
}

TEST_F(SchedulerTest, RestartFinishesAStoppingSweepWhoseLastTrialDiedWithTheServer) {
  const std::string db = FileDb("stop");
  Open(db);
  const store::SweepRecord stopping = Submit(kGrid);
  ASSERT_TRUE(Acquire("embedded-0").has_value());
  ASSERT_EQ(scheduler_->Cancel(stopping.id, true)->status, SweepStatus::kStopping);
  const store::SweepRecord other = Submit(kGrid);  // keeps running across the restart
  auto o = Acquire("embedded-1");
  ASSERT_EQ(o->key.sweep_id, other.id);
  Open(db);  // crash and restart: both sweeps had a trial on an embedded slot
  const store::SweepRecord s = Get(stopping.id);
  EXPECT_EQ(s.status, SweepStatus::kCancelled);
  EXPECT_EQ(s.status_reason, "stopped by request");
  EXPECT_EQ(s.counts.cancelled, 1);  // rows
  EXPECT_EQ(s.not_started, 5);       // planned, never started
  const store::SweepRecord still = Get(other.id);
  EXPECT_EQ(still.status, SweepStatus::kRunning);
  EXPECT_EQ(still.counts.pending, 1);  // its interrupted trial is pending again
  EXPECT_EQ(still.not_started, 5);
  auto retry = Acquire("embedded-0");
  EXPECT_EQ(retry->key.sweep_id, other.id);
  EXPECT_EQ(retry->key.index, o->key.index);
  EXPECT_EQ(retry->key.attempt, 2);
  scheduler_.reset();
  store_.reset();
}

// A stopping sweep rebuilt after a restart counts its never-started trials as
// not_started, as before it (not as cancelled too).
TEST_F(SchedulerTest, AStoppingSweepCountsItsNeverStartedTrialsOnceAfterARestart) {
  const std::string db = FileDb("stopping");
  Open(db);
  const store::SweepRecord s = Submit(kGrid);
  auto a = Acquire("remote-a");  // a remote worker's lease outlives the restart
  ASSERT_TRUE(a.has_value());
  ASSERT_EQ(scheduler_->Cancel(s.id, true)->status, SweepStatus::kStopping);
  Open(db);
  ExpectStopStep(s.id, "stopping, after the restart", {SweepStatus::kStopping, 1, 0, 0, 5});
  ASSERT_TRUE(Complete(*a, 0.5).ok());
  const store::SweepRecord r =
      ExpectStopStep(s.id, "finished after the restart", {SweepStatus::kCancelled, 0, 1, 0, 5});
  EXPECT_EQ(r.status_reason, "stopped by request");
  ExpectSound();
  scheduler_.reset();
  store_.reset();
}

TEST_F(SchedulerTest, ANonFiniteLearningRateFailsTheTrialNotTheSweep) {
  const store::SweepRecord s = Submit(kGrid);
  auto a = Acquire();
  auto b = Acquire();
  EpochReport r;
  r.key = a->key;
  r.epoch = EpochMetrics{1, {{"val_loss", 0.5}}, std::nan(""), 0};
  auto reply = scheduler_->Report(r);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->stop, true);
  EXPECT_EQ(reply->reason, "diverged: lr is nan at epoch 1");
  r.epoch->lr = 0.1;
  r.epoch->seconds = -1;
  r.key = b->key;
  reply = scheduler_->Report(r);  // malformed, not diverged: refused, the trial goes on
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reply.status().message(), "epoch.seconds: -1 is not a duration (finite, >= 0)");
  ASSERT_TRUE(Complete(*b, 0.5).ok());
  // Every later call of the sweep works: nothing is stuck in a buffer.
  for (int i = 0; i < 4; ++i) {
    auto l = Acquire();
    ASSERT_TRUE(l.has_value());
    ASSERT_TRUE(Epoch(*l, 1, 0.5).ok());
    ASSERT_TRUE(Complete(*l, 0.5).ok());
  }
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_EQ(done.counts.failed, 1);
  EXPECT_EQ(done.counts.completed, 5);
}

// An embedded slot's epochs are buffered (its attempt cannot outlive this process):
// a report the store cannot take yet is kept in memory and acknowledged.
TEST_F(SchedulerTest, AStoreOutageIsUnavailableAndLosesNothing) {
  const store::SweepRecord s = Submit(kGrid);
  auto l = Acquire("embedded-0");
  ASSERT_TRUE(Epoch(*l, 1, 0.9).ok());
  store_fault_ = true;
  now_ += 1500;  // the next report wants to write its epochs, and cannot
  auto r = Epoch(*l, 2, 0.8);
  ASSERT_TRUE(r.ok()) << r.status();  // kept in memory; training goes on
  EXPECT_EQ(r->stop, false);
  auto r2 = Epoch(*l, 2, 0.8);  // a retried report replaces its epoch
  ASSERT_TRUE(r2.ok());
  const absl::Status done = Complete(*l, 0.7);
  EXPECT_THAT(done, StatusIs(absl::StatusCode::kUnavailable)) << done;  // transient: the worker retries
  EXPECT_THAT(scheduler_->Acquire("w2", ""), StatusIs(absl::StatusCode::kUnavailable));
  now_ += 900;  // within the lease the failed completion renewed
  scheduler_->Tick();
  EXPECT_EQ(Get(s.id).counts.running, 1);
  store_fault_ = false;
  ASSERT_TRUE(Complete(*l, 0.7).ok());  // the retry lands
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& rd) {
                    auto t = rd.GetTrial(*store::ParseSweepId(s.id), l->key.index);
                    EXPECT_EQ(t->status, TrialStatus::kCompleted);
                    EXPECT_EQ(t->objective.value(), 0.7);
                    EXPECT_EQ(t->epochs.size(), 2);  // both epochs, once each
                    EXPECT_EQ(t->attempts.size(), 1);
                    for (const auto& v : store::CheckIntegrity(rd)) ADD_FAILURE() << v;
                    return absl::OkStatus();
                  })
                  .ok());
}

// A remote worker's lease outlives a restart of the server, so its epochs are on disk
// before they are acknowledged: while the store fails, a report is UNAVAILABLE (the
// worker sends it again) and nothing is lost either way.
TEST_F(SchedulerTest, ARemoteWorkersEpochIsNotAcknowledgedUntilItIsWritten) {
  const store::SweepRecord s = Submit(kGrid);
  auto l = Acquire("remote-1");
  ASSERT_TRUE(Epoch(*l, 1, 0.9).ok());
  store_fault_ = true;
  EXPECT_THAT(Epoch(*l, 2, 0.8), StatusIs(absl::StatusCode::kUnavailable));
  now_ += 900;
  scheduler_->Tick();
  EXPECT_EQ(Get(s.id).counts.running, 1);  // the refused report renewed the lease
  store_fault_ = false;
  ASSERT_TRUE(Epoch(*l, 2, 0.8).ok());  // the worker's retry lands
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& rd) {
                    auto t = rd.GetTrial(*store::ParseSweepId(s.id), l->key.index);
                    EXPECT_EQ(t->status, TrialStatus::kRunning);
                    EXPECT_EQ(t->epochs.size(), 2);  // written before the reply, not a second later
                    if (t->epochs.size() == 2) {
                      EXPECT_EQ(t->epochs[1].metrics.at("val_loss"), 0.8);
                    }
                    return absl::OkStatus();
                  })
                  .ok());
}

// A stored sweep this build cannot load (here: a spec stored before its `when`
// parents were bounded, so its grid would need 10^6 blocks) fails with the reason at
// recovery; the other sweeps are served as if it were not there.
TEST_F(SchedulerTest, ASweepThatCannotBeLoadedFailsAloneAtRecovery) {
  const std::string db = FileDb("unloadable");
  Open(db);
  const store::SweepRecord good = Submit(kGrid);
  std::string huge = "name: huge\ndataset: {name: xor}\nmethod: grid\nparameters:\n";
  std::string when;
  for (const char* p : {"batch_size", "epochs", "patience", "decay_epochs", "pca_components", "elu_alpha"}) {
    absl::StrAppend(&huge, "  ", p, ": {values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\n");
    absl::StrAppend(&when, when.empty() ? "" : ", ", p, ": [1]");
  }
  absl::StrAppend(&huge, "  lr: {values: [0.1, 0.2], when: {", when, "}}\n");
  ASSERT_TRUE(store_
                  ->Write([&](store::WriteTxn& w) {
                    w.InsertSweep("huge", huge, 1000, false, now_);
                    return absl::OkStatus();
                  })
                  .ok());
  Open(db);  // the restart
  const store::SweepRecord failed = Get("huge");
  EXPECT_EQ(failed.status, SweepStatus::kFailed);
  EXPECT_THAT(failed.status_reason,
              ::testing::HasSubstr("cannot resume after restart: parameters: the `when` parents"));
  auto l = Acquire();
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->key.sweep_id, good.id);
  ExpectSound();
  scheduler_.reset();
  store_.reset();
}

TEST_F(SchedulerTest, LeasesFollowTheMonotonicClockNotTheWallClock) {
  const store::SweepRecord s = Submit(kGrid);
  auto l = Acquire();
  wall_step_ = 3'600'000;  // the wall clock jumps an hour (NTP, a VM resumed)
  scheduler_->Tick();
  EXPECT_EQ(Get(s.id).counts.running, 1);
  auto r = Epoch(*l, 1, 0.5);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->expires_ms, now_ + wall_step_ + 1000);  // shown on the wall clock
  EXPECT_EQ(r->lease_ms, 1000);
  now_ += 1001;  // real time passes: now it expires
  scheduler_->Tick();
  EXPECT_EQ(Get(s.id).counts.running, 0);
}

TEST_F(SchedulerTest, ASubmissionRetriedWithItsRequestIdMakesOneSweep) {
  const std::string db = FileDb("req");
  Open(db);
  auto first = SubmitRaw(kGrid, "req-7");
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = SubmitRaw(kGrid, "req-7");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->name, "grid6");
  Open(db);  // the reply was lost in a crash; the client retries after the restart
  auto after = SubmitRaw(kGrid, "req-7");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->id, first->id);
  EXPECT_THAT(SubmitRaw(kGrid + "seed: 9\n", "req-7"), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_NE(SubmitRaw(kGrid, "req-8")->id, first->id);
  auto page = scheduler_->ListSweeps(0, 10);
  EXPECT_EQ(page->sweeps.size(), 2u);
  EXPECT_THAT(SubmitRaw(kGrid, std::string(300, 'x')), StatusIs(absl::StatusCode::kInvalidArgument));
  scheduler_.reset();
  store_.reset();
}

TEST_F(SchedulerTest, WorkerCallsBeforeRecoveryAreUnavailableNotRefused) {
  Submit(kGrid);
  auto l = Acquire("remote-1");
  Scheduler fresh(*store_, options_);  // a restart: not recovered yet
  EXPECT_THAT(fresh.Report(EpochReport{l->key, std::nullopt, std::nullopt}), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(fresh.Complete(TrialResult{l->key, {}, 0, {}}), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(fresh.Fail(TrialFailure{l->key, "", true}), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(fresh.Acquire("w", ""), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(fresh.Submit(Spec(kGrid), kGrid), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(SchedulerTest, ALostLeaseInAStoppingSweepCancelsTheTrialInOneTransaction) {
  const store::SweepRecord s = Submit(kGrid);
  auto a = Acquire("remote-a");
  ASSERT_EQ(scheduler_->Cancel(s.id, true)->status, SweepStatus::kStopping);
  now_ += 1500;
  scheduler_->Tick();  // the worker died: its trial is cancelled, not left pending
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCancelled);
  EXPECT_EQ(done.counts.cancelled, 1);  // rows
  EXPECT_EQ(done.not_started, 5);       // planned, never started
  EXPECT_EQ(done.counts.pending, 0);
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& r) {
                    auto t = r.GetTrial(*store::ParseSweepId(s.id), a->key.index);
                    EXPECT_EQ(t->status, TrialStatus::kCancelled);
                    EXPECT_EQ(t->attempt, 1);
                    EXPECT_EQ(t->attempts[0].outcome, "lease expired (worker remote-a)");
                    for (const auto& v : store::CheckIntegrity(r)) ADD_FAILURE() << v;
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_F(SchedulerTest, RecoveryCancelsWhatAStoppingSweepLeftPending) {
  const std::string db = FileDb("pend");
  Open(db);
  const store::SweepRecord s = Submit(kGrid);
  auto a = Acquire("remote-a");
  ASSERT_EQ(scheduler_->Cancel(s.id, true)->status, SweepStatus::kStopping);
  // What an earlier hpsearch could leave behind: the stopping sweep's trial requeued.
  ASSERT_TRUE(store_
                  ->Write([&](store::WriteTxn& w) {
                    auto open = w.OpenTrials(*store::ParseSweepId(s.id));
                    w.RequeueTrial(open[0].trial_id, 1, 1, "lease expired", now_);
                    return absl::OkStatus();
                  })
                  .ok());
  Open(db);
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCancelled);
  EXPECT_EQ(done.counts.cancelled, 1);  // rows
  EXPECT_EQ(done.not_started, 5);       // planned, never started
  ExpectSound();
  EXPECT_FALSE(Acquire().has_value());
  scheduler_.reset();
  store_.reset();
}

TEST_F(SchedulerTest, ASweepThatCannotResumeIsFailedWithEveryTrialEnded) {
  const std::string db = FileDb("abandon");
  Open(db);
  const store::SweepRecord s = Submit(kGrid);
  auto a = Acquire("remote-a");
  auto b = Acquire("remote-b");
  ASSERT_TRUE(Fail(*b, "worker going away", false).ok());  // b is pending again
  // A spec this build can no longer turn into a strategy (a parameter with no domain).
  const std::string blob = kGrid + "  momentum: {}\n";
  ASSERT_TRUE(store_
                  ->Write([&](store::WriteTxn& w) {
                    auto& q = w.connection().Prepare("UPDATE sweeps SET spec = ? WHERE id = ?");
                    q.bind(1, blob.data(), static_cast<int>(blob.size()));
                    q.bind(2, *store::ParseSweepId(s.id));
                    q.exec();
                    return absl::OkStatus();
                  })
                  .ok());
  Open(db);
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kFailed);
  EXPECT_NE(done.status_reason.find("cannot resume after restart"), std::string::npos);
  EXPECT_EQ(done.counts.cancelled, 2);  // rows
  EXPECT_EQ(done.not_started, 4);       // planned, never started
  EXPECT_EQ(done.counts.running + done.counts.pending, 0);
  ExpectSound();
  scheduler_.reset();
  store_.reset();
}

TEST_F(SchedulerTest, ATickFinishesASweepWhoseEndCouldNotBeWritten) {
  // One value only: the random search finds its space exhausted after one trial.
  const store::SweepRecord s = Submit(R"(name: one
dataset: {name: xor}
method: random
budget: {max_trials: 5}
fixed: {epochs: 1, hidden: [2]}
parameters:
  dropout: {min: 0.1, max: 0.1}
)");
  auto l = Acquire();
  ASSERT_TRUE(Complete(*l, 0.5).ok());
  store_fault_ = true;
  EXPECT_FALSE(Acquire().has_value());  // exhausted; its end cannot be written
  EXPECT_EQ(Get(s.id).status, SweepStatus::kRunning);
  store_fault_ = false;
  scheduler_->Tick();
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_EQ(done.total_trials, 1);
  EXPECT_NE(done.status_reason.find("exhausted"), std::string::npos);
}

TEST_F(SchedulerTest, OversizedIdsAreRefused) {
  Submit(kGrid);
  EXPECT_THAT(scheduler_->Acquire(std::string(3 << 20, 'w'), ""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(scheduler_->Acquire("w", std::string(300, 'r')), StatusIs(absl::StatusCode::kInvalidArgument));
  auto l = Acquire();
  EXPECT_EQ(l->key.index, 0);  // nothing was leased to the refused calls
}

TEST_F(SchedulerTest, AFinishedSweepIsShownFinishedWhereverItIsRead) {
  const store::SweepRecord s = Submit(kGrid.substr(kGrid.find('\n') + 1) + "budget: {max_trials: 1}\nmethod: random\n");
  auto l = Acquire();
  const auto rec = scheduler_->Resolve(s.id);  // read while it still runs
  ASSERT_TRUE(Complete(*l, 0.5).ok());
  EXPECT_EQ(rec->status, SweepStatus::kRunning);
  EXPECT_EQ(Get(s.id).status, SweepStatus::kCompleted);
  auto cancel = scheduler_->Cancel(s.id, false);
  EXPECT_THAT(cancel, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(cancel.status().message().find("already finished (completed)"), std::string::npos) << cancel.status();
  auto w = scheduler_->StartWatch(s.id, [](const SweepEvent&) { FAIL(); });
  EXPECT_EQ(w->id, 0u);
  EXPECT_EQ(w->snapshot.status, SweepStatus::kCompleted);
  EXPECT_EQ(w->snapshot.counts.completed, 1);
}

}  // namespace
}  // namespace hpsearch::scheduler::test
