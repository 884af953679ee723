// The scheduler with a fake trainer (the test plays the worker) and a fake clock.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>

#include "absl/strings/match.h"
#include "data/dataset_loader.h"
#include "gtest/gtest.h"
#include "runtime/slot_pool.h"
#include "scheduler/scheduler_source.h"
#include "scheduler/scheduler.h"
#include "client/spec_file.h"
#include "store/integrity.h"

namespace hpsearch::scheduler {
namespace {

search::Spec Spec(const std::string& yaml) {
  auto spec = client::ParseSpecYaml(yaml);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return *spec;
}

// 6 grid trials on xor, minimising val_loss.
const std::string kGrid = std::string("objective: {metric: val_loss, goal: minimize}\n") + R"(
name: grid6
dataset: {name: xor}
method: grid
fixed: {epochs: 2, hidden: [4]}
parameters:
  lr: {values: [0.1, 0.01, 0.001]}
  optimizer: {values: [sgd, adam]}
)";

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(":memory:"); }

  void Open(const std::string& path, SchedulerOptions o = {}) {
    scheduler_.reset();
    store_.reset();
    store::StoreOptions so;
    so.path = path;
    so.before_commit = [this] { return store_fault_ ? absl::UnavailableError("database is full") : absl::OkStatus(); };
    auto s = store::Store::Open(so);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
    o.clock = [this] { return now_ + wall_step_; };  // the wall clock may step
    o.monotonic_clock = [this] { return now_; };
    if (o.lease_ms == 30'000) o.lease_ms = 1000;
    // The test's "encoding" of a spec is its YAML text.
    o.decode_spec = [](const std::string& yaml) { return client::ParseSpecYaml(yaml); };
    options_ = o;
    scheduler_ = std::make_unique<Scheduler>(*store_, o);
    ASSERT_TRUE(scheduler_->Recover().ok());
  }

  // The spec of `yaml`, stored as its YAML text.
  absl::StatusOr<store::SweepRecord> SubmitRaw(const std::string& yaml, const std::string& request_id = "") {
    return scheduler_->Submit(Spec(yaml), yaml, request_id);
  }

  store::SweepRecord Submit(const std::string& yaml) {
    auto s = SubmitRaw(yaml);
    EXPECT_TRUE(s.ok()) << s.status();
    return *s;
  }

  std::optional<Lease> Acquire(const std::string& worker = "w1", const std::string& req = "") {
    auto l = scheduler_->Acquire(worker, req);
    EXPECT_TRUE(l.ok()) << l.status();
    return l.ok() ? *l : std::nullopt;
  }

  absl::StatusOr<ReportReply> Epoch(const Lease& l, int epoch, double val_loss) {
    EpochReport r;
    r.key = l.key;
    r.epoch = EpochMetrics{epoch, {{"val_loss", val_loss}, {"train_loss", val_loss}}, 0.1, 0};
    return scheduler_->Report(r);
  }

  absl::Status Complete(const Lease& l, double val_loss) {
    TrialResult r;
    r.key = l.key;
    r.metrics = {{"val_loss", val_loss}, {"val_accuracy", 1 - val_loss}, {"test_accuracy", 0.5}};
    r.parameter_count = 17;
    return scheduler_->Complete(r);
  }

  absl::Status Fail(const Lease& l, const std::string& reason, bool permanent = true) {
    return scheduler_->Fail(TrialFailure{l.key, reason, permanent});
  }

  store::SweepRecord Get(const std::string& id) {
    auto s = scheduler_->GetSweep(id);
    EXPECT_TRUE(s.ok()) << s.status();
    return *s;
  }

  int64_t now_ = 1'000'000;
  int64_t wall_step_ = 0;
  bool store_fault_ = false;  // every commit fails while set (a full disk)
  SchedulerOptions options_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(SchedulerTest, RunsEveryTrialOnceAndRecordsTheBest) {
  const store::SweepRecord s = Submit(kGrid);
  EXPECT_EQ(s.total_trials, 6);
  EXPECT_EQ(s.counts.pending, 6);
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
  ASSERT_TRUE(store_->Read([&](store::ReadTxn& r) {
                      auto best = r.BestTrials(*store::ParseSweepId(s.id), 6);
                      EXPECT_EQ(best.size(), 6u);
                      for (size_t i = 1; i < best.size(); ++i) EXPECT_LE(best[i - 1].objective.value(), best[i].objective.value());
                      EXPECT_EQ(best[0].metrics.at("test_accuracy"), 0.5);
                      return absl::OkStatus();
                    }).ok());
}

TEST_F(SchedulerTest, SameSpecSameTrialsAndSeeds) {
  const store::SweepRecord a = Submit(kGrid);
  std::vector<std::string> first;
  for (int i = 0; i < 6; ++i) {
    auto l = Acquire();
    first.push_back(l->params.at("lr").ToString() + l->params.at("optimizer").ToString() +
                    std::to_string(l->seed));
    ASSERT_TRUE(Complete(*l, 0.5).ok());
  }
  Submit(kGrid);
  for (int i = 0; i < 6; ++i) {
    auto l = Acquire();
    EXPECT_EQ(first[i], l->params.at("lr").ToString() + l->params.at("optimizer").ToString() +
                            std::to_string(l->seed));
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
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Complete(*old, 0.01).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Complete(*retry, 0.3).ok());
  ASSERT_TRUE(store_->Read([&](store::ReadTxn& r) {
                      auto t = r.GetTrial(*store::ParseSweepId(s.id), old->key.index);
                      EXPECT_EQ(t->objective.value(), 0.3);
                      EXPECT_EQ(t->attempts.size(), 2);
                      EXPECT_EQ(t->attempts[0].outcome, "lease expired (worker slow)");
                      EXPECT_EQ(t->epochs.size(), 0);  // the old attempt's curve is gone
                      return absl::OkStatus();
                    }).ok());
}

TEST_F(SchedulerTest, ReportsExtendTheLease) {
  Submit(kGrid);
  auto l = Acquire();
  for (int i = 0; i < 5; ++i) {
    now_ += 800;
    scheduler_->Tick();
    auto r = Epoch(*l, i + 1, 0.5);
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
  ASSERT_TRUE(store_->Read([&](store::ReadTxn& r) {
                      auto t = r.GetTrial(*store::ParseSweepId(s.id), 0);
                      EXPECT_EQ(t->status, TrialStatus::kFailed);
                      EXPECT_NE(t->failure_reason.find("lost its lease 3 times"), std::string::npos);
                      EXPECT_EQ(t->attempts.size(), 3);
                      return absl::OkStatus();
                    }).ok());
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
  EXPECT_EQ(c->counts.cancelled, 6);
  auto r = Epoch(*l, 1, 0.5);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stop, true);
  EXPECT_EQ(Complete(*l, 0.1).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(Acquire().has_value());
  EXPECT_EQ(scheduler_->Cancel(s.id, false).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(scheduler_->Cancel("nope", false).status().code(), absl::StatusCode::kNotFound);
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
  EXPECT_EQ(done.counts.cancelled, 4);
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
  EXPECT_EQ(done.counts.cancelled, 4);  // c and the 3 never started
  EXPECT_EQ(Epoch(*c, 1, 0.3)->stop, true);
}

TEST_F(SchedulerTest, EveryTrialFailingFailsTheSweep) {
  const store::SweepRecord s = Submit(kGrid);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(Fail(*Acquire(), "bad data").ok());
  EXPECT_EQ(Get(s.id).status, SweepStatus::kFailed);
}

TEST_F(SchedulerTest, TargetEndsTheSweepEarly) {
  const store::SweepRecord s = Submit(kGrid.substr(kGrid.find('\n') + 1) + "objective: {metric: val_loss, goal: minimize, target: 0.1}\n");
  auto a = Acquire();
  auto b = Acquire();
  ASSERT_TRUE(Complete(*a, 0.5).ok());
  ASSERT_TRUE(Complete(*b, 0.05).ok());
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_NE(done.status_reason.find("target val_loss 0.1 reached by trial 1"), std::string::npos);
  EXPECT_EQ(done.counts.completed, 2);
  EXPECT_EQ(done.counts.cancelled, 4);
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
  EXPECT_EQ(done.counts.cancelled, 5);
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
  ASSERT_TRUE(store_->Read([&](store::ReadTxn& r) {
                      const int64_t id = *store::ParseSweepId(s.id);
                      auto ta = r.GetTrial(id, a->key.index);
                      EXPECT_EQ(ta->status, TrialStatus::kFailed);
                      EXPECT_EQ(ta->epochs.size(), 1);
                      auto tb = r.GetTrial(id, b->key.index);
                      EXPECT_EQ(tb->status, TrialStatus::kFailed);
                      EXPECT_EQ(tb->failure_reason, "diverged: final val_accuracy is -inf");
                      EXPECT_FALSE(tb->objective.has_value());
                      auto tc = r.GetTrial(id, c->key.index);
                      EXPECT_NE(tc->failure_reason.find("objective metric val_loss was not reported"),
                                std::string::npos);
                      return absl::OkStatus();
                    }).ok());
  EXPECT_EQ(Get(s.id).counts.failed, 3);
}

TEST_F(SchedulerTest, BadSpecsAndLimitsAreRefusedWithTheRightCode) {
  auto bad = SubmitRaw("dataset: {name: xor}\nparameters:\n  lr: {min: 0, max: 1, scale: log}\n");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("parameters.lr"), std::string::npos);
  SchedulerOptions o;
  o.max_active_sweeps = 1;
  Open(":memory:", o);
  Submit(kGrid);
  EXPECT_EQ(SubmitRaw(kGrid).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(SchedulerTest, WatchersGetASnapshotThenEveryChangeThenTheEnd) {
  const store::SweepRecord s = Submit(kGrid);
  std::vector<SweepEvent> events;
  auto w = scheduler_->StartWatch(s.id, [&](const SweepEvent& e) { events.push_back(e); });
  ASSERT_TRUE(w.ok());
  EXPECT_NE(w->id, 0u);
  EXPECT_EQ(w->snapshot.counts.pending, 6);
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

TEST_F(SchedulerTest, RestartResumesWithoutRerunningOrLosingTrials) {
  const auto dir = std::filesystem::temp_directory_path() / ("hpsearch-sched-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "r.db").string();
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
  EXPECT_EQ(resumed.counts.pending, 3);
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
  std::filesystem::remove_all(dir);
}

TEST_F(SchedulerTest, RestartFinishesAStoppingSweepWhoseLastTrialDiedWithTheServer) {
  const auto dir = std::filesystem::temp_directory_path() / ("hpsearch-stop-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "s.db").string();
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
  EXPECT_EQ(s.counts.cancelled, 6);
  const store::SweepRecord still = Get(other.id);
  EXPECT_EQ(still.status, SweepStatus::kRunning);
  EXPECT_EQ(still.counts.pending, 6);  // its interrupted trial is pending again
  auto retry = Acquire("embedded-0");
  EXPECT_EQ(retry->key.sweep_id, other.id);
  EXPECT_EQ(retry->key.index, o->key.index);
  EXPECT_EQ(retry->key.attempt, 2);
  scheduler_.reset();
  store_.reset();
  std::filesystem::remove_all(dir);
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
  reply = scheduler_->Report(r);
  EXPECT_EQ(reply->reason, "invalid report: seconds is -1 at epoch 1");
  // Every later call of the sweep works: nothing is stuck in a buffer.
  for (int i = 0; i < 4; ++i) {
    auto l = Acquire();
    ASSERT_TRUE(l.has_value());
    ASSERT_TRUE(Epoch(*l, 1, 0.5).ok());
    ASSERT_TRUE(Complete(*l, 0.5).ok());
  }
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_EQ(done.counts.failed, 2);
  EXPECT_EQ(done.counts.completed, 4);
}

TEST_F(SchedulerTest, AStoreOutageIsUnavailableAndLosesNothing) {
  const store::SweepRecord s = Submit(kGrid);
  auto l = Acquire();
  ASSERT_TRUE(Epoch(*l, 1, 0.9).ok());
  store_fault_ = true;
  now_ += 1500;  // the next report wants to write its epochs, and cannot
  auto r = Epoch(*l, 2, 0.8);
  ASSERT_TRUE(r.ok()) << r.status();  // kept in memory; training goes on
  EXPECT_EQ(r->stop, false);
  auto r2 = Epoch(*l, 2, 0.8);  // a retried report replaces its epoch
  ASSERT_TRUE(r2.ok());
  const absl::Status done = Complete(*l, 0.7);
  EXPECT_EQ(done.code(), absl::StatusCode::kUnavailable) << done;  // transient: the worker retries
  EXPECT_EQ(scheduler_->Acquire("w2", "").status().code(), absl::StatusCode::kUnavailable);
  now_ += 900;  // within the lease the failed completion renewed
  scheduler_->Tick();
  EXPECT_EQ(Get(s.id).counts.running, 1);
  store_fault_ = false;
  ASSERT_TRUE(Complete(*l, 0.7).ok());  // the retry lands
  ASSERT_TRUE(store_->Read([&](store::ReadTxn& rd) {
                      auto t = rd.GetTrial(*store::ParseSweepId(s.id), l->key.index);
                      EXPECT_EQ(t->status, TrialStatus::kCompleted);
                      EXPECT_EQ(t->objective.value(), 0.7);
                      EXPECT_EQ(t->epochs.size(), 2);  // both epochs, once each
                      EXPECT_EQ(t->attempts.size(), 1);
                      for (const auto& v : store::CheckIntegrity(rd)) ADD_FAILURE() << v;
                      return absl::OkStatus();
                    }).ok());
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
  const auto dir = std::filesystem::temp_directory_path() / ("hpsearch-req-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "q.db").string();
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
  EXPECT_EQ(SubmitRaw(kGrid + "seed: 9\n", "req-7").status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_NE(SubmitRaw(kGrid, "req-8")->id, first->id);
  auto page = scheduler_->ListSweeps(0, 10);
  EXPECT_EQ(page->sweeps.size(), 2u);
  EXPECT_EQ(SubmitRaw(kGrid, std::string(300, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
  scheduler_.reset();
  store_.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(SchedulerTest, WorkerCallsBeforeRecoveryAreUnavailableNotRefused) {
  Submit(kGrid);
  auto l = Acquire("remote-1");
  Scheduler fresh(*store_, options_);  // a restart: not recovered yet
  EXPECT_EQ(fresh.Report(EpochReport{l->key, std::nullopt, std::nullopt}).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(fresh.Complete(TrialResult{l->key, {}, 0, {}}).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fresh.Fail(TrialFailure{l->key, "", true}).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fresh.Acquire("w", "").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fresh.Submit(Spec(kGrid), kGrid).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(SchedulerTest, ALostLeaseInAStoppingSweepCancelsTheTrialInOneTransaction) {
  const store::SweepRecord s = Submit(kGrid);
  auto a = Acquire("remote-a");
  ASSERT_EQ(scheduler_->Cancel(s.id, true)->status, SweepStatus::kStopping);
  now_ += 1500;
  scheduler_->Tick();  // the worker died: its trial is cancelled, not left pending
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCancelled);
  EXPECT_EQ(done.counts.cancelled, 6);
  EXPECT_EQ(done.counts.pending, 0);
  ASSERT_TRUE(store_->Read([&](store::ReadTxn& r) {
                      auto t = r.GetTrial(*store::ParseSweepId(s.id), a->key.index);
                      EXPECT_EQ(t->status, TrialStatus::kCancelled);
                      EXPECT_EQ(t->attempt, 1);
                      EXPECT_EQ(t->attempts[0].outcome, "lease expired (worker remote-a)");
                      for (const auto& v : store::CheckIntegrity(r)) ADD_FAILURE() << v;
                      return absl::OkStatus();
                    }).ok());
}

TEST_F(SchedulerTest, RecoveryCancelsWhatAStoppingSweepLeftPending) {
  const auto dir = std::filesystem::temp_directory_path() / ("hpsearch-pend-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "p.db").string();
  Open(db);
  const store::SweepRecord s = Submit(kGrid);
  auto a = Acquire("remote-a");
  ASSERT_EQ(scheduler_->Cancel(s.id, true)->status, SweepStatus::kStopping);
  // What an earlier hpsearch could leave behind: the stopping sweep's trial requeued.
  ASSERT_TRUE(store_->Write([&](store::WriteTxn& w) {
                      auto open = w.OpenTrials(*store::ParseSweepId(s.id));
                      w.RequeueTrial(open[0].trial_id, 1, 1, "lease expired", now_);
                      return absl::OkStatus();
                    }).ok());
  Open(db);
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCancelled);
  EXPECT_EQ(done.counts.cancelled, 6);
  ASSERT_TRUE(store_->Read([&](store::ReadTxn& r) {
                      for (const auto& v : store::CheckIntegrity(r)) ADD_FAILURE() << v;
                      return absl::OkStatus();
                    }).ok());
  EXPECT_FALSE(Acquire().has_value());
  scheduler_.reset();
  store_.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(SchedulerTest, ASweepThatCannotResumeIsFailedWithEveryTrialEnded) {
  const auto dir = std::filesystem::temp_directory_path() / ("hpsearch-abandon-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "a.db").string();
  Open(db);
  const store::SweepRecord s = Submit(kGrid);
  auto a = Acquire("remote-a");
  auto b = Acquire("remote-b");
  ASSERT_TRUE(Fail(*b, "worker going away", false).ok());  // b is pending again
  // A spec this build can no longer turn into a strategy (a parameter with no domain).
  const std::string blob = kGrid + "  momentum: {}\n";
  ASSERT_TRUE(store_->Write([&](store::WriteTxn& w) {
                      auto& q = w.connection().Prepare("UPDATE sweeps SET spec = ? WHERE id = ?");
                      q.bind(1, blob.data(), static_cast<int>(blob.size()));
                      q.bind(2, *store::ParseSweepId(s.id));
                      q.exec();
                      return absl::OkStatus();
                    }).ok());
  Open(db);
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kFailed);
  EXPECT_NE(done.status_reason.find("cannot resume after restart"), std::string::npos);
  EXPECT_EQ(done.counts.cancelled, 6);
  EXPECT_EQ(done.counts.running + done.counts.pending, 0);
  ASSERT_TRUE(store_->Read([&](store::ReadTxn& r) {
                      for (const auto& v : store::CheckIntegrity(r)) ADD_FAILURE() << v;
                      return absl::OkStatus();
                    }).ok());
  scheduler_.reset();
  store_.reset();
  std::filesystem::remove_all(dir);
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
  EXPECT_EQ(scheduler_->Acquire(std::string(3 << 20, 'w'), "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(scheduler_->Acquire("w", std::string(300, 'r')).status().code(), absl::StatusCode::kInvalidArgument);
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
  EXPECT_EQ(cancel.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(cancel.status().message().find("already finished (completed)"), std::string::npos) << cancel.status();
  auto w = scheduler_->StartWatch(s.id, [](const SweepEvent&) { FAIL(); });
  EXPECT_EQ(w->id, 0u);
  EXPECT_EQ(w->snapshot.status, SweepStatus::kCompleted);
  EXPECT_EQ(w->snapshot.counts.completed, 1);
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
  pool.Start();
  store::SweepRecord now;
  for (int i = 0; i < 600; ++i) {
    now = *scheduler.GetSweep(s->id);
    if (now.status != SweepStatus::kRunning) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(pool.Stop(std::chrono::seconds(5), std::chrono::seconds(5)));
  EXPECT_EQ(now.status, SweepStatus::kCompleted) << now.status_reason;
  EXPECT_EQ(now.counts.completed, 4);
  ASSERT_TRUE((*st)->Read([&](store::ReadTxn& r) {
                       auto best = r.BestTrials(*store::ParseSweepId(s->id), 4);
                       EXPECT_EQ(best.size(), 4u);
                       for (size_t i = 1; i < best.size(); ++i) EXPECT_GE(best[i - 1].objective.value(), best[i].objective.value());
                       auto t = r.GetTrial(*store::ParseSweepId(s->id), 0);
                       EXPECT_EQ(t->epochs.size(), 3);
                       EXPECT_TRUE(t->metrics.count("test_accuracy"));
                       EXPECT_GT(t->parameter_count, 0);
                       EXPECT_TRUE(absl::StartsWith(t->worker, "embedded-"));
                       return absl::OkStatus();
                     }).ok());
}

}  // namespace
}  // namespace hpsearch::scheduler
