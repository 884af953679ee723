// The scheduler: leases, budgets, cancel and stop, watchers, the embedded pool.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "absl/strings/match.h"
#include "server/scheduler/scheduler_source.h"
#include "tests/server/scheduler_fixture.h"
#include "worker/data/dataset_loader.h"
#include "worker/runtime/slot_pool.h"

namespace hpsearch::scheduler::test {
namespace {

using ::hpsearch::testing::StatusIs;

TEST_F(SchedulerTest, RunsEveryTrialOnceAndRecordsTheBest) {
  const store::SweepRecord s = Submit(kGrid);
  EXPECT_EQ(s.total_trials, 6);
  EXPECT_EQ(s.counts.pending, 0);  // no trial exists yet: all six are to come
  EXPECT_EQ(s.not_started, 6);
  std::set<int64_t> seen;
  for (int i = 0; i < 6; ++i) {
    auto l = Acquire();
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(seen.insert(l->key.index).second);
    EXPECT_EQ(l->key.attempt, 1);
    EXPECT_EQ(l->objective_metric, "val_loss");
    EXPECT_FALSE(l->objective_maximize);
    EXPECT_EQ(l->dataset.name, "xor");
    EXPECT_EQ(l->params.at("epochs").number(), 2);
    ASSERT_TRUE(Epoch(*l, 1, 1.0).ok());
    ASSERT_TRUE(Complete(*l, 0.9 - 0.1 * ((l->key.index * 5) % 6)).ok());
  }
  EXPECT_FALSE(Acquire().has_value());
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_EQ(done.counts.completed, 6);
  EXPECT_EQ(done.counts.pending, 0);
  EXPECT_GT(done.finished_ms, 0);
  EXPECT_NEAR(done.best_objective.value(), 0.4, 1e-12);
  EXPECT_EQ(done.best_trial, 1);  // (1*5)%6 = 5 → 0.4
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& r) {
                    auto best = r.BestTrials(*store::ParseSweepId(s.id), 6);
                    EXPECT_EQ(best.size(), 6u);
                    for (size_t i = 1; i < best.size(); ++i)
                      EXPECT_LE(best[i - 1].objective.value(), best[i].objective.value());
                    EXPECT_EQ(best[0].metrics.at("test_accuracy"), 0.5);
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_F(SchedulerTest, SameSpecSameTrialsAndSeeds) {
  const store::SweepRecord a = Submit(kGrid);
  std::vector<std::string> first;
  for (int i = 0; i < 6; ++i) {
    auto l = Acquire();
    first.push_back(l->params.at("lr").ToString() + l->params.at("optimizer").ToString() + std::to_string(l->seed));
    ASSERT_TRUE(Complete(*l, 0.5).ok());
  }
  Submit(kGrid);
  for (int i = 0; i < 6; ++i) {
    auto l = Acquire();
    EXPECT_EQ(first[i], l->params.at("lr").ToString() + l->params.at("optimizer").ToString() + std::to_string(l->seed));
    ASSERT_TRUE(Complete(*l, 0.5).ok());
  }
}

TEST_F(SchedulerTest, MaxConcurrentAndFairSharingBetweenSweeps) {
  const store::SweepRecord a = Submit(std::string(kGrid) + "parallelism: {max_concurrent: 1}\n");
  const store::SweepRecord b = Submit(kGrid);
  std::map<std::string, int> per_sweep;
  std::vector<Lease> held;
  for (int i = 0; i < 4; ++i) {
    auto l = Acquire("w" + std::to_string(i));
    ASSERT_TRUE(l.has_value());
    per_sweep[l->key.sweep_id]++;
    held.push_back(*l);
  }
  EXPECT_EQ(per_sweep[a.id], 1);  // capped
  EXPECT_EQ(per_sweep[b.id], 3);
  EXPECT_EQ(Get(a.id).counts.running, 1);
  // When a's trial finishes, a is served next (fewest running).
  for (const auto& l : held) {
    if (l.key.sweep_id == a.id) {
      ASSERT_TRUE(Complete(l, 0.5).ok());
    }
  }
  auto next = Acquire("w9");
  EXPECT_EQ(next->key.sweep_id, a.id);
}

TEST_F(SchedulerTest, AcquireIsIdempotentPerRequestId) {
  Submit(kGrid);
  auto l1 = Acquire("w1", "req-1");
  auto again = Acquire("w1", "req-1");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->key.index, l1->key.index);
  EXPECT_EQ(again->key.attempt, l1->key.attempt);
  auto l2 = Acquire("w1", "req-2");
  EXPECT_NE(l2->key.index, l1->key.index);
  EXPECT_EQ(Acquire("w2", "req-1")->key.index, 2);  // another worker: its own request
}

TEST_F(SchedulerTest, ExpiredLeaseRequeuesWithTheNextAttemptAndFencesTheOldOne) {
  const store::SweepRecord s = Submit(kGrid);
  auto old = Acquire("slow");
  ASSERT_TRUE(Epoch(*old, 1, 0.8).ok());
  now_ += 1500;  // past the 1 s lease
  scheduler_->Tick();
  EXPECT_EQ(Get(s.id).counts.running, 0);
  auto retry = Acquire("fast");
  EXPECT_EQ(retry->key.index, old->key.index);  // retries first
  EXPECT_EQ(retry->key.attempt, 2);
  EXPECT_EQ(retry->params.at("lr").number(), old->params.at("lr").number());
  EXPECT_EQ(retry->seed, old->seed);
  // The paused worker wakes up: refused, and nothing changes.
  auto late = Epoch(*old, 2, 0.1);
  EXPECT_THAT(late, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(Complete(*old, 0.01), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_TRUE(Complete(*retry, 0.3).ok());
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& r) {
                    auto t = r.GetTrial(*store::ParseSweepId(s.id), old->key.index);
                    EXPECT_EQ(t->objective.value(), 0.3);
                    EXPECT_EQ(t->attempts.size(), 2);
                    EXPECT_EQ(t->attempts[0].outcome, "lease expired (worker slow)");
                    EXPECT_EQ(t->epochs.size(), 0);  // the old attempt's curve is gone
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_F(SchedulerTest, ReportsExtendTheLease) {
  Submit(kGrid);
  auto l = Acquire();
  for (int i = 0; i < 5; ++i) {
    now_ += 800;
    scheduler_->Tick();
    auto r = Epoch(*l, 1 + i % 2, 0.5);  // the sweep's trials run 2 epochs
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->expires_ms, now_ + 1000);
  }
}

TEST_F(SchedulerTest, ATrialThatKeepsLosingItsLeaseFails) {
  const store::SweepRecord s = Submit(kGrid);
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto l = Acquire();
    ASSERT_EQ(l->key.index, 0);
    EXPECT_EQ(l->key.attempt, attempt);
    now_ += 2000;
    scheduler_->Tick();
  }
  const store::SweepRecord after = Get(s.id);
  EXPECT_EQ(after.counts.failed, 1);
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& r) {
                    auto t = r.GetTrial(*store::ParseSweepId(s.id), 0);
                    EXPECT_EQ(t->status, TrialStatus::kFailed);
                    EXPECT_NE(t->failure_reason.find("lost its lease 3 times"), std::string::npos);
                    EXPECT_EQ(t->attempts.size(), 3);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(Acquire()->key.index, 1);
}

TEST_F(SchedulerTest, HandingBackDoesNotCountAsALostLease) {
  Submit(kGrid);
  for (int i = 0; i < 5; ++i) {
    auto l = Acquire();
    ASSERT_EQ(l->key.index, 0);
    ASSERT_TRUE(Fail(*l, "worker shutting down", false).ok());
  }
  auto l = Acquire();
  EXPECT_EQ(l->key.index, 0);
  EXPECT_EQ(l->key.attempt, 6);
}

TEST_F(SchedulerTest, CancelStopsRunningTrialsAtTheirNextReport) {
  const store::SweepRecord s = Submit(kGrid);
  auto l = Acquire();
  auto c = scheduler_->Cancel(s.name, false);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->status, SweepStatus::kCancelled);
  EXPECT_EQ(c->counts.cancelled, 1);  // rows
  EXPECT_EQ(c->not_started, 5);       // planned, never started
  auto r = Epoch(*l, 1, 0.5);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stop, true);
  EXPECT_THAT(Complete(*l, 0.1), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_FALSE(Acquire().has_value());
  EXPECT_THAT(scheduler_->Cancel(s.id, false), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(scheduler_->Cancel("nope", false), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(SchedulerTest, StopLetsRunningTrialsFinish) {
  const store::SweepRecord s = Submit(kGrid);
  auto a = Acquire();
  auto b = Acquire();
  auto st = scheduler_->Cancel(s.id, true);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->status, SweepStatus::kStopping);
  EXPECT_FALSE(Acquire().has_value());
  EXPECT_EQ(Epoch(*a, 1, 0.5)->stop, false);
  ASSERT_TRUE(Complete(*a, 0.5).ok());
  ASSERT_TRUE(Complete(*b, 0.4).ok());
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCancelled);
  EXPECT_EQ(done.status_reason, "stopped by request");
  EXPECT_EQ(done.counts.completed, 2);
  EXPECT_EQ(done.counts.cancelled, 0);  // rows
  EXPECT_EQ(done.not_started, 4);       // planned, never started
  EXPECT_EQ(done.best_trial, b->key.index);
}

TEST_F(SchedulerTest, MaxFailedFailsTheSweepWithAReason) {
  const store::SweepRecord s = Submit(std::string(kGrid) + "budget: {max_failed: 2}\n");
  auto a = Acquire();
  auto b = Acquire();
  auto c = Acquire();
  ASSERT_TRUE(Fail(*a, "diverged at epoch 1, step 3").ok());
  EXPECT_EQ(Get(s.id).status, SweepStatus::kRunning);
  ASSERT_TRUE(Fail(*b, "diverged at epoch 2, step 9").ok());
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kFailed);
  EXPECT_NE(done.status_reason.find("2 trials failed (budget.max_failed is 2)"), std::string::npos);
  EXPECT_NE(done.status_reason.find("diverged at epoch 2"), std::string::npos);
  EXPECT_EQ(done.counts.cancelled, 1);  // rows
  EXPECT_EQ(done.not_started, 3);       // planned, never started
  EXPECT_EQ(Epoch(*c, 1, 0.3)->stop, true);
}

TEST_F(SchedulerTest, EveryTrialFailingFailsTheSweep) {
  const store::SweepRecord s = Submit(kGrid);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(Fail(*Acquire(), "bad data").ok());
  EXPECT_EQ(Get(s.id).status, SweepStatus::kFailed);
}

TEST_F(SchedulerTest, TargetEndsTheSweepEarly) {
  const store::SweepRecord s =
      Submit(kGrid.substr(kGrid.find('\n') + 1) + "objective: {metric: val_loss, goal: minimize, target: 0.1}\n");
  auto a = Acquire();
  auto b = Acquire();
  ASSERT_TRUE(Complete(*a, 0.5).ok());
  ASSERT_TRUE(Complete(*b, 0.05).ok());
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_NE(done.status_reason.find("target val_loss 0.1 reached by trial 1"), std::string::npos);
  EXPECT_EQ(done.counts.completed, 2);
  EXPECT_EQ(done.counts.cancelled, 0);  // rows
  EXPECT_EQ(done.not_started, 4);       // planned, never started
}

TEST_F(SchedulerTest, MaxDurationEndsTheSweep) {
  const store::SweepRecord s = Submit(std::string(kGrid) + "budget: {max_duration: 10s}\n");
  auto a = Acquire();
  ASSERT_TRUE(Complete(*a, 0.5).ok());
  auto b = Acquire();
  now_ += 11'000;
  EXPECT_FALSE(Acquire().has_value());
  EXPECT_EQ(Epoch(*b, 1, 0.4)->stop, true);
  scheduler_->Tick();
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_NE(done.status_reason.find("max_duration of 10s reached"), std::string::npos);
  EXPECT_EQ(done.counts.completed, 1);
  EXPECT_EQ(done.counts.cancelled, 1);  // rows
  EXPECT_EQ(done.not_started, 4);       // planned, never started
}

TEST_F(SchedulerTest, NonFiniteMetricsFailTheTrialAndAreNeverStored) {
  const store::SweepRecord s = Submit(kGrid);
  auto a = Acquire();
  ASSERT_TRUE(Epoch(*a, 1, 0.5).ok());
  auto r = Epoch(*a, 2, std::nan(""));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stop, true);
  EXPECT_EQ(r->reason, "diverged: train_loss is nan at epoch 2");
  auto b = Acquire();
  EXPECT_TRUE(Complete(*b, INFINITY).ok());  // recorded as a failure
  auto c = Acquire();
  TrialResult no_objective;
  no_objective.key = c->key;
  no_objective.metrics["val_accuracy"] = 0.9;
  EXPECT_TRUE(scheduler_->Complete(no_objective).ok());
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& r) {
                    const int64_t id = *store::ParseSweepId(s.id);
                    auto ta = r.GetTrial(id, a->key.index);
                    EXPECT_EQ(ta->status, TrialStatus::kFailed);
                    EXPECT_EQ(ta->epochs.size(), 1);
                    auto tb = r.GetTrial(id, b->key.index);
                    EXPECT_EQ(tb->status, TrialStatus::kFailed);
                    EXPECT_EQ(tb->failure_reason, "diverged: final val_accuracy is -inf");
                    EXPECT_FALSE(tb->objective.has_value());
                    auto tc = r.GetTrial(id, c->key.index);
                    EXPECT_NE(tc->failure_reason.find("objective metric val_loss was not reported"), std::string::npos);
                    // What a failed trial reported is kept with it (the finite values).
                    EXPECT_EQ(tc->metrics, (std::map<std::string, double>{{"val_accuracy", 0.9}}));
                    EXPECT_EQ(tb->metrics, (std::map<std::string, double>{{"test_accuracy", 0.5}}));
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(Get(s.id).counts.failed, 3);
}

// A csv whose task only the file tells: the dataset check reads the file at submit,
// so the objective's default follows the task (val_loss for a regression) and the
// spec is stored completed; a bad file is refused before any trial runs.
TEST_F(SchedulerTest, TheDatasetCheckCompletesTheSpecBeforeTheObjectiveIsChosen) {
  SchedulerOptions o;
  bool files_here = true;
  o.check_dataset = [&files_here](const vocabulary::DatasetOptions& d) -> absl::StatusOr<vocabulary::DatasetOptions> {
    if (d.path == "bad.csv") return absl::InvalidArgumentError("bad.csv:3: column 'x' (1): not a number: ''");
    if (!files_here) return d;
    vocabulary::DatasetOptions r = d;
    if (r.task.empty()) r.task = "regression";
    return r;
  };
  o.encode_spec = [](const search::Spec& spec) { return "completed task=" + spec.dataset.task; };
  Open(":memory:", o);
  const std::string reg = "name: reg\ndataset: {name: csv, path: reg.csv}\nbudget: {max_trials: 1}\n";
  auto s = SubmitRaw(reg);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->maximize);
  EXPECT_EQ(s->spec, "completed task=regression");
  auto l = Acquire();
  ASSERT_TRUE(l);
  TrialResult r;
  r.key = l->key;
  r.metrics = {{"val_loss", 0.25}, {"val_r2", 0.8}, {"val_mse", 0.25}};  // what a regression reports
  ASSERT_TRUE(scheduler_->Complete(r).ok());
  const store::SweepRecord done = Get(s->id);
  EXPECT_EQ(done.counts.completed, 1);
  EXPECT_EQ(done.best_objective, 0.25);
  // A spec already complete is stored as it came.
  const std::string classify = "name: c\ndataset: {name: csv, path: c.csv, task: classification}\n";
  auto c = SubmitRaw(classify);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->spec, classify);
  // A metric the file's task does not report, and a bad file: refused now.
  auto wrong = SubmitRaw("dataset: {name: csv, path: reg.csv}\nobjective: {metric: val_accuracy}\n");
  EXPECT_THAT(wrong, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(wrong.status().message()), ::testing::HasSubstr("reg.csv reads as regression"));
  auto bad = SubmitRaw("dataset: {name: csv, path: bad.csv}\n");
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(bad.status().message(), "bad.csv:3: column 'x' (1): not a number: ''");
  // The file is on remote workers only: the task must be said, or the objective.
  files_here = false;
  auto open = SubmitRaw("dataset: {name: csv, path: far.csv}\n");
  EXPECT_THAT(open, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(open.status().message()), ::testing::HasSubstr("dataset.task"));
  EXPECT_TRUE(SubmitRaw("dataset: {name: csv, path: far.csv}\nobjective: {metric: val_loss}\n").ok());
  EXPECT_TRUE(SubmitRaw("dataset: {name: csv, path: far.csv, task: regression}\n").ok());
}

TEST_F(SchedulerTest, BadSpecsAndLimitsAreRefusedWithTheRightCode) {
  auto bad = SubmitRaw("dataset: {name: xor}\nparameters:\n  lr: {min: 0, max: 1, scale: log}\n");
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("parameters.lr")));
  SchedulerOptions o;
  o.max_active_sweeps = 1;
  Open(":memory:", o);
  Submit(kGrid);
  EXPECT_THAT(SubmitRaw(kGrid), StatusIs(absl::StatusCode::kResourceExhausted));
}

// One rule for counts in every state (docs/cli.md): the six statuses count rows, what
// `trials` lists; the planned trials without a row are not_started (to come while the
// sweep runs, never started once it has ended); the seven make the total.
TEST_F(SchedulerTest, CountsAreRowsAndThePlannedRestIsNotStarted) {
  const store::SweepRecord s = Submit(kGrid);
  const auto expect = [&](const char* when, int64_t pending, int64_t running, int64_t cancelled, int64_t not_started) {
    const store::SweepRecord r = Get(s.id);
    EXPECT_EQ(r.counts.pending, pending) << when;
    EXPECT_EQ(r.counts.running, running) << when;
    EXPECT_EQ(r.counts.cancelled, cancelled) << when;
    EXPECT_EQ(r.not_started, not_started) << when;
    EXPECT_EQ(r.counts.total() + r.not_started, r.total_trials) << when;
    int64_t rows = 0;
    EXPECT_TRUE(store_
                    ->Read([&](store::ReadTxn& read) {
                      auto page = read.ListTrials(*store::ParseSweepId(s.id), store::TrialQuery{});
                      if (!page.ok()) return page.status();
                      rows = page->total;
                      return absl::OkStatus();
                    })
                    .ok());
    EXPECT_EQ(rows, r.counts.total()) << when << ": the counted rows are the listed ones";
  };
  expect("submitted", 0, 0, 0, 6);
  auto l = Acquire();
  expect("one leased", 0, 1, 0, 5);
  now_ += 1001;  // its lease expires: the trial exists and waits
  scheduler_->Tick();
  expect("requeued", 1, 0, 0, 5);
  ASSERT_TRUE(scheduler_->Cancel(s.id, false).ok());
  expect("cancelled", 0, 0, 1, 5);
}

// A sweep stopped with trials running and others never started: those never started
// are not_started at every step, never cancelled too (they were counted both ways,
// 8 trials of 4, `status` saying "2/4 done" while `trials` listed 2 running rows).
TEST_F(SchedulerTest, AStoppedSweepCountsItsNeverStartedTrialsOnceAtEveryStep) {
  const store::SweepRecord s = Submit(kGrid);  // 6 trials
  auto a = Acquire("w1");
  auto b = Acquire("w2");
  ASSERT_TRUE(a && b);
  ExpectCountsAgree(s.id, "two running");
  auto stopped = scheduler_->Cancel(s.id, true);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(stopped->status, SweepStatus::kStopping);
  EXPECT_EQ(stopped->counts.cancelled, 0);
  EXPECT_EQ(stopped->not_started, 4);
  EXPECT_EQ(stopped->counts.total() + stopped->not_started, stopped->total_trials);
  ExpectStopStep(s.id, "stopped, two running", {SweepStatus::kStopping, 2, 0, 0, 4});
  ASSERT_TRUE(Complete(*a, 0.5).ok());
  ExpectStopStep(s.id, "stopped, one finished", {SweepStatus::kStopping, 1, 1, 0, 4});
  ASSERT_TRUE(Complete(*b, 0.4).ok());
  const store::SweepRecord r = ExpectStopStep(s.id, "stopped, both finished", {SweepStatus::kCancelled, 0, 2, 0, 4});
  EXPECT_EQ(r.status_reason, "stopped by request");
  ExpectSound();
}

// `cancel` after `stop`: the running trial is cancelled and the sweep ends as
// cancelled by request (docs/spec.md's table), not with the stop's reason.
TEST_F(SchedulerTest, CancellingAStoppingSweepEndsItAsCancelledByRequest) {
  const store::SweepRecord s = Submit(kGrid);
  std::vector<SweepEvent> events;
  auto w = scheduler_->StartWatch(s.id, [&](const SweepEvent& e) { events.push_back(e); });
  ASSERT_TRUE(w.ok());
  auto a = Acquire("w1");
  auto b = Acquire("w2");
  ASSERT_TRUE(a && b);
  ASSERT_EQ(scheduler_->Cancel(s.id, true)->status, SweepStatus::kStopping);
  ASSERT_TRUE(Complete(*a, 0.5).ok());
  ExpectCountsAgree(s.id, "stopped, one running");
  auto c = scheduler_->Cancel(s.id, false);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->status, SweepStatus::kCancelled);
  EXPECT_EQ(c->status_reason, "cancelled by request");
  // b, which was running, is cancelled.
  const store::SweepRecord r = ExpectStopStep(s.id, "stopped, then cancelled", {SweepStatus::kCancelled, 0, 1, 1, 4});
  EXPECT_EQ(r.status_reason, "cancelled by request");
  EXPECT_EQ(Epoch(*b, 1, 0.3)->stop, true);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().sweep.status, SweepStatus::kCancelled);
  EXPECT_EQ(events.back().sweep.status_reason, "cancelled by request");
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& read) {
                    auto t = read.GetTrial(r.rowid, b->key.index);
                    EXPECT_EQ(t->status, TrialStatus::kCancelled);
                    EXPECT_EQ(t->failure_reason, "cancelled by request");
                    return absl::OkStatus();
                  })
                  .ok());
  // A second stop or cancel changes nothing: the sweep has finished.
  EXPECT_THAT(scheduler_->Cancel(s.id, true), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Get(s.id).status_reason, "cancelled by request");
  ExpectSound();
}

TEST_F(SchedulerTest, WatchersGetASnapshotThenEveryChangeThenTheEnd) {
  const store::SweepRecord s = Submit(kGrid);
  std::vector<SweepEvent> events;
  auto w = scheduler_->StartWatch(s.id, [&](const SweepEvent& e) { events.push_back(e); });
  ASSERT_TRUE(w.ok());
  EXPECT_NE(w->id, 0u);
  EXPECT_EQ(w->snapshot.not_started, 6);
  for (int i = 0; i < 6; ++i) {
    auto l = Acquire();
    ASSERT_TRUE(Epoch(*l, 1, 0.5).ok());
    ASSERT_TRUE(Complete(*l, 0.5).ok());
  }
  // Per trial: RUNNING, one epoch, COMPLETED; then the final sweep event.
  ASSERT_EQ(events.size(), 6u * 3 + 1);
  EXPECT_EQ(events[0].trial->status, TrialStatus::kRunning);
  EXPECT_TRUE(events[1].epoch.has_value());
  EXPECT_EQ(events[2].trial->status, TrialStatus::kCompleted);
  EXPECT_EQ(events[2].trial->objective.value(), 0.5);
  EXPECT_EQ(events[2].sweep.counts.completed, 1);
  EXPECT_EQ(events.back().sweep.status, SweepStatus::kCompleted);
  auto after = scheduler_->StartWatch(s.id, [&](const SweepEvent&) { FAIL(); });
  EXPECT_EQ(after->id, 0u);  // finished: the snapshot says it all
  EXPECT_EQ(after->snapshot.status, SweepStatus::kCompleted);
}

TEST_F(SchedulerTest, EmbeddedPoolTrainsARealSweepOnTwoSlots) {
  data::DatasetCache datasets(data::DataEnvironment{});
  options_.clock = nullptr;
  SchedulerOptions o;
  o.lease_ms = 30'000;
  store::StoreOptions so;
  so.path = ":memory:";
  auto st = store::Store::Open(so);
  ASSERT_TRUE(st.ok());
  Scheduler scheduler(**st, o);
  ASSERT_TRUE(scheduler.Recover().ok());
  const std::string yaml = R"(
name: pool
dataset: {name: xor, samples: 200, test: 0.2}
objective: {metric: val_accuracy, goal: maximize}
method: grid
fixed: {epochs: 3, hidden: [8], lr: 0.05}
parameters:
  optimizer: {values: [sgd, momentum, adam, rmsprop]}
)";
  auto s = scheduler.Submit(Spec(yaml), yaml);
  ASSERT_TRUE(s.ok()) << s.status();
  runtime::PoolOptions po;
  po.slots = 2;
  SchedulerSource source(scheduler);
  runtime::SlotPool pool(source, datasets, po);
  // The sweep's last event says it has ended (no polling).
  std::mutex mu;
  std::condition_variable ended;
  bool done = false;
  auto watch = scheduler.StartWatch(s->id, [&](const SweepEvent& e) {
    if (!Finished(e.sweep.status)) return;
    std::lock_guard<std::mutex> lock(mu);
    done = true;
    ended.notify_all();
  });
  ASSERT_TRUE(watch.ok());
  pool.Start();
  {
    std::unique_lock<std::mutex> lock(mu);
    EXPECT_TRUE(ended.wait_for(lock, std::chrono::seconds(60), [&] { return done; }));
  }
  const store::SweepRecord now = *scheduler.GetSweep(s->id);
  EXPECT_TRUE(pool.Stop(std::chrono::seconds(5), std::chrono::seconds(5)));
  EXPECT_EQ(now.status, SweepStatus::kCompleted) << now.status_reason;
  EXPECT_EQ(now.counts.completed, 4);
  ASSERT_TRUE((*st)
                  ->Read([&](store::ReadTxn& r) {
                    auto best = r.BestTrials(*store::ParseSweepId(s->id), 4);
                    EXPECT_EQ(best.size(), 4u);
                    for (size_t i = 1; i < best.size(); ++i)
                      EXPECT_GE(best[i - 1].objective.value(), best[i].objective.value());
                    auto t = r.GetTrial(*store::ParseSweepId(s->id), 0);
                    EXPECT_EQ(t->epochs.size(), 3);
                    EXPECT_TRUE(t->metrics.count("test_accuracy"));
                    EXPECT_GT(t->parameter_count, 0);
                    EXPECT_TRUE(absl::StartsWith(t->worker, "embedded-"));
                    return absl::OkStatus();
                  })
                  .ok());
}

}  // namespace
}  // namespace hpsearch::scheduler::test
