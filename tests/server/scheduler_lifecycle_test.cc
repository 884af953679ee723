// A sweep after it was submitted: extend (more trials, more time), retry (failed or
// cancelled trials again) and delete, on running and finished sweeps and across a
// restart. The specs are stored as the server stores them (binary SweepSpec), since
// extending rewrites the stored spec's budget.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "gmock/gmock.h"
#include "proto/convert/spec_convert.h"
#include "tests/server/scheduler_fixture.h"

namespace hpsearch::scheduler::test {
namespace {

using ::hpsearch::testing::StatusIs;
using ::testing::HasSubstr;

std::string Encode(const search::Spec& spec) { return convert::ToProto(spec).SerializeAsString(); }

absl::StatusOr<search::Spec> Decode(const std::string& bytes) {
  hpsearch::v1::SweepSpec p;
  if (!p.ParseFromString(bytes)) return absl::DataLossError("not a SweepSpec");
  return convert::FromProto(p);
}

// 7-trial-capable random search over lr (log) and optimizer on xor.
std::string Random(int max_trials, const std::string& extra = "") {
  return "name: rnd\ndataset: {name: xor}\nmethod: random\nseed: 7\nfixed: {epochs: 2, hidden: [4]}\n"
         "objective: {metric: val_loss, goal: minimize}\n"
         "parameters:\n  lr: {min: 0.0001, max: 0.1, scale: log}\n  optimizer: {values: [sgd, adam, rmsprop]}\n"
         "budget: {max_trials: " +
         std::to_string(max_trials) + extra + "}\n";
}

class Lifecycle : public SchedulerTest {
 protected:
  void SetUp() override { OpenStore(":memory:"); }

  void OpenStore(const std::string& path) {
    SchedulerOptions o;
    o.decode_spec = Decode;
    o.encode_spec = Encode;
    Open(path, o);
  }

  store::SweepRecord SubmitSpec(const std::string& yaml) {
    const search::Spec spec = Spec(yaml);
    auto s = scheduler_->Submit(spec, Encode(spec));
    EXPECT_TRUE(s.ok()) << s.status();
    return *s;
  }

  // Runs every trial there is to run (completing each), returning index → params.
  std::map<int64_t, std::string> RunAll(const std::string& worker = "w1") {
    std::map<int64_t, std::string> seen;
    while (auto l = Acquire(worker)) {
      seen[l->key.index] = l->params.at("lr").ToString() + "/" + l->params.at("optimizer").ToString();
      EXPECT_TRUE(Complete(*l, 0.5 - 0.01 * static_cast<double>(l->key.index)).ok());
    }
    return seen;
  }

  search::Spec StoredSpec(const std::string& id) {
    std::optional<store::SweepRecord> rec;
    EXPECT_TRUE(store_
                    ->Read([&](store::ReadTxn& r) {
                      rec = r.FindSweep(id);
                      return absl::OkStatus();
                    })
                    .ok());
    EXPECT_TRUE(rec.has_value());
    auto spec = Decode(rec ? rec->spec : "");
    EXPECT_TRUE(spec.ok()) << spec.status();
    return spec.ok() ? *spec : search::Spec{};
  }
};

TEST_F(Lifecycle, ExtendingARunningSweepRunsWhatABiggerBudgetWouldHave) {
  const store::SweepRecord s = SubmitSpec(Random(4));
  std::map<int64_t, std::string> seen;
  for (int i = 0; i < 2; ++i) {
    auto l = Acquire();
    seen[l->key.index] = l->params.at("lr").ToString() + "/" + l->params.at("optimizer").ToString();
    ASSERT_TRUE(Complete(*l, 0.4).ok());
  }
  auto extended = scheduler_->Extend(s.id, {3, 0});
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_EQ(extended->status, SweepStatus::kRunning);
  EXPECT_EQ(extended->total_trials, 7);
  EXPECT_EQ(extended->counts.pending + extended->not_started, 5);
  EXPECT_EQ(StoredSpec(s.id).budget.max_trials, 7);  // the stored budget says so too
  for (auto& [i, p] : RunAll()) seen[i] = p;
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_EQ(done.counts.completed, 7);
  EXPECT_EQ(done.not_started, 0);
  // The same configurations, in the same order, as a sweep submitted with 7 trials.
  SubmitSpec(Random(7));
  EXPECT_EQ(RunAll(), seen);
  ExpectSound();
}

TEST_F(Lifecycle, ExtendingAFinishedSweepReopensItAndItEndsAgain) {
  const store::SweepRecord s = SubmitSpec(std::string(kGrid) + "budget: {max_trials: 2}\n");
  std::map<int64_t, std::string> seen = RunAll();
  ASSERT_EQ(Get(s.id).status, SweepStatus::kCompleted);
  auto extended = scheduler_->Extend(s.id, {3, 0});
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_EQ(extended->status, SweepStatus::kRunning);
  EXPECT_EQ(extended->total_trials, 5);
  EXPECT_EQ(extended->counts.completed, 2);
  EXPECT_EQ(extended->counts.pending + extended->not_started, 3);
  for (auto& [i, p] : RunAll()) seen[i] = p;
  store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_EQ(done.counts.completed, 5);
  EXPECT_GT(done.finished_ms, 0);
  // The last grid point, then nothing more: a grid runs each point once.
  ASSERT_TRUE(scheduler_->Extend(s.id, {10, 0}).ok());
  EXPECT_EQ(Get(s.id).total_trials, 6);
  for (auto& [i, p] : RunAll()) seen[i] = p;
  EXPECT_THAT(scheduler_->Extend(s.id, {1, 0}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("all 6 points of its grid")));
  EXPECT_EQ(Get(s.id).status, SweepStatus::kCompleted);
  // The grid went on from its next point each time: the whole grid, in order.
  SubmitSpec(kGrid);
  EXPECT_EQ(RunAll(), seen);
  ExpectSound();
}

TEST_F(Lifecycle, ExtendingAStoppedSweepRunsItsNeverStartedTrialsAndTheNewOnes) {
  const store::SweepRecord s = SubmitSpec(Random(5));
  auto a = Acquire();
  ASSERT_TRUE(scheduler_->Cancel(s.id, true).ok());
  ASSERT_TRUE(Complete(*a, 0.4).ok());
  store::SweepRecord stopped = Get(s.id);
  ASSERT_EQ(stopped.status, SweepStatus::kCancelled);
  ASSERT_EQ(stopped.not_started, 4);
  auto extended = scheduler_->Extend(s.id, {2, 0});
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_EQ(extended->total_trials, 7);
  EXPECT_EQ(extended->counts.pending, 0);
  EXPECT_EQ(extended->not_started, 6);  // 4 never started + 2 more, all to come now
  EXPECT_EQ(RunAll().size(), 6u);
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_EQ(done.status_reason, "");  // its end as stopped is forgotten
  EXPECT_EQ(done.counts.completed, 7);
  ExpectSound();
}

TEST_F(Lifecycle, ExtendingTimeMovesARunningSweepsLimitAndGivesAFinishedOneMore) {
  const store::SweepRecord s = SubmitSpec(Random(6, ", max_duration: 10s"));
  auto a = Acquire();
  ASSERT_TRUE(Complete(*a, 0.4).ok());
  now_ += 8'000;
  auto extended = scheduler_->Extend(s.id, {0, 5});  // now 15 s from its start
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_EQ(StoredSpec(s.id).budget.max_duration_seconds, 15);
  // The answer carries the extended spec (`extend` prints its limit), not the one before.
  EXPECT_EQ(scheduler_->DecodeSpec(extended->spec)->budget.max_duration_seconds, 15);
  now_ += 4'000;  // 12 s: past the old limit
  scheduler_->Tick();
  EXPECT_EQ(Get(s.id).status, SweepStatus::kRunning);
  now_ += 4'000;  // 16 s
  scheduler_->Tick();
  store::SweepRecord ended = Get(s.id);
  ASSERT_EQ(ended.status, SweepStatus::kCompleted);
  EXPECT_THAT(ended.status_reason, HasSubstr("max_duration of 15s reached"));
  EXPECT_EQ(ended.not_started, 5);
  // Used up: more trials alone would end at once, so they are refused without time.
  EXPECT_THAT(scheduler_->Extend(s.id, {2, 0}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("used up its time limit")));
  EXPECT_THAT(scheduler_->Retry(s.id, true, true),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("extend it with a duration first")));
  auto more = scheduler_->Extend(s.id, {0, 20});  // 20 s from now
  ASSERT_TRUE(more.ok()) << more.status();
  EXPECT_EQ(scheduler_->DecodeSpec(more->spec)->budget.max_duration_seconds, 36);  // 16 s run + 20
  EXPECT_EQ(more->counts.pending + more->not_started, 5);
  now_ += 19'000;
  scheduler_->Tick();
  EXPECT_EQ(Get(s.id).status, SweepStatus::kRunning);
  now_ += 2'000;
  scheduler_->Tick();
  EXPECT_EQ(Get(s.id).status, SweepStatus::kCompleted);
  ExpectSound();
}

TEST_F(Lifecycle, ExtendRefusesWhatCannotBeExtended) {
  const store::SweepRecord s = SubmitSpec(Random(3));
  EXPECT_THAT(scheduler_->Extend(s.id, {0, 0}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(scheduler_->Extend(s.id, {-1, 0}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(scheduler_->Extend(s.id, {0, 30}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("has no time limit")));
  EXPECT_THAT(scheduler_->Extend("nope", {1, 0}), StatusIs(absl::StatusCode::kNotFound));
  auto a = Acquire();
  ASSERT_TRUE(scheduler_->Cancel(s.id, true).ok());  // stopping while `a` runs
  EXPECT_THAT(scheduler_->Extend(s.id, {1, 0}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is stopping")));
  EXPECT_THAT(scheduler_->Retry(s.id, true, true),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is stopping")));
  ASSERT_TRUE(Complete(*a, 0.4).ok());
  EXPECT_EQ(StoredSpec(s.id).budget.max_trials, 3);  // refusals changed nothing
  const store::SweepRecord all_run = SubmitSpec(Random(2));
  RunAll();
  EXPECT_THAT(scheduler_->Extend(all_run.id, {0, 30}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("more time alone adds none")));
  EXPECT_EQ(Get(all_run.id).status, SweepStatus::kCompleted);
}

TEST_F(Lifecycle, ARunningTrialKeepsItsLeaseAndCurveThroughAnExtension) {
  const store::SweepRecord s = SubmitSpec(Random(2));
  auto a = Acquire();
  ASSERT_TRUE(Epoch(*a, 1, 0.6).ok());
  now_ += 800;
  ASSERT_TRUE(scheduler_->Extend(s.id, {1, 0}).ok());
  now_ += 300;  // 1.1 s after the lease was renewed: the 1 s lease has run out
  scheduler_->Tick();
  EXPECT_THAT(Complete(*a, 0.5), StatusIs(absl::StatusCode::kFailedPrecondition));  // not extended by the change
  auto again = Acquire();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->key.index, a->key.index);
  EXPECT_EQ(again->key.attempt, 2);
  ASSERT_TRUE(Epoch(*again, 1, 0.55).ok());
  ASSERT_TRUE(Epoch(*again, 2, 0.45).ok());
  ASSERT_TRUE(scheduler_->Extend(s.id, {1, 0}).ok());  // its unwritten epochs are written first
  ASSERT_TRUE(Complete(*again, 0.45).ok());
  auto t = store_->Read([&](store::ReadTxn& r) {
    auto trial = r.GetTrial(*store::ParseSweepId(s.id), again->key.index);
    EXPECT_TRUE(trial.has_value());
    if (trial) {
      EXPECT_EQ(trial->epochs.size(), 2u);
    }
    return absl::OkStatus();
  });
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(RunAll().size(), 3u);
  EXPECT_EQ(Get(s.id).counts.completed, 4);
  ExpectSound();
}

TEST_F(Lifecycle, RetryRunsFailedTrialsAgainAsNewAttemptsOfTheSameConfiguration) {
  const store::SweepRecord s = SubmitSpec(Random(4));
  std::map<int64_t, Lease> failed;
  while (auto l = Acquire()) {
    if (l->key.index % 2 == 0) {
      ASSERT_TRUE(Fail(*l, "diverged at epoch 1, step 2: loss is nan").ok());
      failed[l->key.index] = *l;
    } else {
      ASSERT_TRUE(Complete(*l, 0.3).ok());
    }
  }
  ASSERT_EQ(Get(s.id).status, SweepStatus::kCompleted);
  ASSERT_EQ(Get(s.id).counts.failed, 2);
  auto none = scheduler_->Retry(s.id, false, true);  // no cancelled trials, nothing never started
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->requeued, 0);
  EXPECT_EQ(none->sweep.status, SweepStatus::kCompleted);
  auto retried = scheduler_->Retry(s.id, true, false);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->requeued, 2);
  EXPECT_EQ(retried->resumed, 0);
  EXPECT_EQ(retried->sweep.status, SweepStatus::kRunning);
  EXPECT_EQ(retried->sweep.counts.failed, 0);
  EXPECT_EQ(retried->sweep.counts.pending, 2);  // the requeued rows
  EXPECT_EQ(retried->sweep.not_started, 0);
  std::set<int64_t> rerun;
  while (auto l = Acquire()) {
    ASSERT_TRUE(failed.count(l->key.index));
    const Lease& before = failed.at(l->key.index);
    EXPECT_EQ(l->key.attempt, 2);
    EXPECT_EQ(l->seed, before.seed);
    EXPECT_EQ(l->params, before.params);
    rerun.insert(l->key.index);
    ASSERT_TRUE(Complete(*l, 0.2).ok());
  }
  EXPECT_EQ(rerun, (std::set<int64_t>{0, 2}));
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_EQ(done.counts.completed, 4);
  EXPECT_EQ(done.counts.failed, 0);
  EXPECT_EQ(done.best_objective, 0.2);
  // The failed attempt stays in the trial's history.
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& r) {
                    auto t = r.GetTrial(*store::ParseSweepId(s.id), 0);
                    EXPECT_TRUE(t.has_value());
                    if (!t) return absl::OkStatus();
                    EXPECT_EQ(t->failure_reason, "");
                    const auto& attempts = t->attempts;
                    EXPECT_EQ(attempts.size(), 2u);
                    if (attempts.size() == 2) {
                      EXPECT_THAT(attempts[0].outcome, HasSubstr("failed: diverged"));
                      EXPECT_EQ(attempts[1].outcome, "completed");
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  ExpectSound();
}

TEST_F(Lifecycle, RetryingCancelledTrialsResumesACancelledSweep) {
  const store::SweepRecord s = SubmitSpec(Random(6));
  auto a = Acquire();
  auto b = Acquire();
  ASSERT_TRUE(Complete(*a, 0.3).ok());
  ASSERT_TRUE(scheduler_->Cancel(s.id, false).ok());  // b is cancelled mid-run; 4 never start
  store::SweepRecord cancelled = Get(s.id);
  ASSERT_EQ(cancelled.counts.cancelled, 1);
  ASSERT_EQ(cancelled.not_started, 4);
  auto failed_only = scheduler_->Retry(s.id, true, false);
  ASSERT_TRUE(failed_only.ok());
  EXPECT_EQ(failed_only->requeued + failed_only->resumed, 0);  // nothing failed: untouched
  EXPECT_EQ(failed_only->sweep.status, SweepStatus::kCancelled);
  auto retried = scheduler_->Retry(s.id, false, true);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->requeued, 1);
  EXPECT_EQ(retried->resumed, 4);
  EXPECT_EQ(retried->sweep.counts.pending, 1);  // the requeued row
  EXPECT_EQ(retried->sweep.not_started, 4);     // resumed: to come
  auto again = Acquire();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->key.index, b->key.index);  // requeued trials first
  EXPECT_EQ(again->key.attempt, 2);
  ASSERT_TRUE(Complete(*again, 0.25).ok());
  EXPECT_EQ(RunAll().size(), 4u);
  const store::SweepRecord done = Get(s.id);
  EXPECT_EQ(done.status, SweepStatus::kCompleted);
  EXPECT_EQ(done.counts.completed, 6);
  EXPECT_EQ(done.counts.cancelled, 0);
  ExpectSound();
}

TEST_F(Lifecycle, RetryInARunningSweepRequeuesBesideTheRest) {
  const store::SweepRecord s = SubmitSpec(Random(3, ", max_failed: 2"));
  auto a = Acquire();
  ASSERT_TRUE(Fail(*a, "out of memory").ok());
  auto retried = scheduler_->Retry(s.id, true, false);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->requeued, 1);
  EXPECT_EQ(retried->sweep.counts.failed, 0);   // max_failed counts afresh
  EXPECT_EQ(retried->sweep.counts.pending, 1);  // the requeued row
  EXPECT_EQ(retried->sweep.not_started, 2);
  auto b = Acquire();
  EXPECT_EQ(b->key.index, 0);
  ASSERT_TRUE(Fail(*b, "out of memory").ok());
  EXPECT_EQ(Get(s.id).status, SweepStatus::kRunning);  // 1 failure, not 2
  EXPECT_EQ(RunAll().size(), 2u);
  EXPECT_EQ(Get(s.id).counts.failed, 1);
  ExpectSound();
}

TEST_F(Lifecycle, AnExtendedSweepResumesWithItsNewBudgetAfterARestart) {
  const std::string db = FileDb("life");
  OpenStore(db);
  const store::SweepRecord s = SubmitSpec(Random(2));
  RunAll();
  ASSERT_TRUE(scheduler_->Extend(s.id, {2, 0}).ok());
  auto a = Acquire();  // running on a remote worker when the server dies
  OpenStore(db);
  const store::SweepRecord resumed = Get(s.id);
  EXPECT_EQ(resumed.status, SweepStatus::kRunning);
  EXPECT_EQ(resumed.total_trials, 4);
  EXPECT_EQ(resumed.counts.running, 1);
  ASSERT_TRUE(Complete(*a, 0.1).ok());
  EXPECT_EQ(RunAll().size(), 1u);
  EXPECT_EQ(Get(s.id).counts.completed, 4);
  ExpectSound();
  scheduler_.reset();
  store_.reset();
}

TEST_F(Lifecycle, DeleteRemovesAFinishedSweepAndItsIdIsNeverUsedAgain) {
  const store::SweepRecord keep = SubmitSpec(Random(1));
  const store::SweepRecord s = SubmitSpec(Random(2));
  EXPECT_THAT(scheduler_->Delete(s.id), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("cancel it first")));
  RunAll();
  auto gone = scheduler_->Delete(s.id);
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_EQ(gone->id, s.id);
  EXPECT_EQ(gone->counts.completed, 2);
  EXPECT_THAT(scheduler_->GetSweep(s.id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(scheduler_->Delete(s.id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(scheduler_->GetSweep(keep.id).ok());
  // s was the newest: the next sweep still gets a new id.
  const store::SweepRecord next = SubmitSpec(Random(1));
  EXPECT_GT(*store::ParseSweepId(next.id), *store::ParseSweepId(s.id));
  ASSERT_TRUE(store_
                  ->Read([&](store::ReadTxn& r) {
                    auto& q = r.connection().Prepare(
                        "SELECT (SELECT COUNT(*) FROM trials WHERE sweep_id = ?1) + "
                        "(SELECT COUNT(*) FROM trial_metrics WHERE sweep_id = ?1) + "
                        "(SELECT COUNT(*) FROM trial_counts WHERE sweep_id = ?1)");
                    q.bind(1, static_cast<int64_t>(*store::ParseSweepId(s.id)));
                    EXPECT_TRUE(q.executeStep());
                    EXPECT_EQ(q.getColumn(0).getInt64(), 0);
                    return absl::OkStatus();
                  })
                  .ok());
  ExpectSound();
}

}  // namespace
}  // namespace hpsearch::scheduler::test
