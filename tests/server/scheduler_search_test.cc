// Adaptive search and pruning inside the scheduler: a prune is one event (curve,
// last metrics and reason kept, slot freed, counts adding up), and TPE and the
// pruners resume from the stored history after a restart as if it had not happened.
#include <unistd.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "server/store/integrity.h"
#include "tests/server/scheduler_fixture.h"

namespace hpsearch::scheduler::test {
namespace {

using ::hpsearch::testing::StatusIs;
using ::testing::HasSubstr;

const std::string kPruned = kGrid + "pruning: {method: median, startup_trials: 1, warmup_epochs: 0}\n";

std::optional<store::TrialRecord> Stored(store::Store& st, const store::SweepRecord& s, int64_t index) {
  std::optional<store::TrialRecord> t;
  EXPECT_TRUE(st.Read([&](store::ReadTxn& r) {
                  t = r.GetTrial(s.rowid, index);
                  return absl::OkStatus();
                }).ok());
  return t;
}

TEST_F(SchedulerTest, APrunedTrialKeepsItsCurveMetricsAndReasonAndFreesItsSlot) {
  const store::SweepRecord s = Submit(kPruned);
  auto a = Acquire();
  ASSERT_TRUE(Epoch(*a, 1, 0.5).ok());
  ASSERT_TRUE(Complete(*a, 0.5).ok());
  auto b = Acquire();
  auto reply = Epoch(*b, 1, 0.9);
  ASSERT_TRUE(reply.ok());
  EXPECT_TRUE(reply->stop);
  EXPECT_EQ(reply->reason,
            "pruned at epoch 1: best val_loss 0.9 above the median 0.5 of 1 completed trials at that epoch");
  store::SweepRecord now = Get(s.id);
  EXPECT_EQ(now.counts.pruned, 1);
  EXPECT_EQ(now.counts.running, 0);
  auto t = Stored(*store_, s, b->key.index);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status, TrialStatus::kPruned);
  EXPECT_EQ(t->failure_reason, reply->reason);
  EXPECT_EQ(t->metrics.at("val_loss"), 0.9);
  EXPECT_FALSE(t->objective.has_value());  // `best` ranks completed trials only
  ASSERT_EQ(t->epochs.size(), 1u);
  EXPECT_EQ(t->epochs[0].metrics.at("val_loss"), 0.9);
  EXPECT_THAT(t->attempts.back().outcome, HasSubstr("pruned: pruned at epoch 1"));
  // The worker is told again if it reports on, and cannot complete it.
  auto again = Epoch(*b, 2, 0.1);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->stop);
  EXPECT_THAT(Complete(*b, 0.1), StatusIs(absl::StatusCode::kFailedPrecondition));
  // The rest: good trials complete, and a trial's last epoch is never pruned.
  while (auto l = Acquire()) {
    auto r = Epoch(*l, 1, 0.4);
    ASSERT_TRUE(r.ok());
    ASSERT_FALSE(r->stop);
    auto last = Epoch(*l, 2, 5.0);  // epochs: 2 — it has nothing left to save
    ASSERT_TRUE(last.ok());
    EXPECT_FALSE(last->stop);
    ASSERT_TRUE(Complete(*l, 0.4).ok());
  }
  now = Get(s.id);
  EXPECT_EQ(now.status, SweepStatus::kCompleted);
  EXPECT_EQ(now.counts.completed, 5);
  EXPECT_EQ(now.counts.pruned, 1);
  EXPECT_EQ(now.counts.completed + now.counts.pruned, now.total_trials);
  EXPECT_EQ(now.best_trial, 2);  // the first 0.4
}

TEST_F(SchedulerTest, APruneThatCannotBeWrittenLeavesTheTrialRunningAndIsJudgedAgain) {
  const store::SweepRecord s = Submit(kPruned);
  auto a = Acquire();
  ASSERT_TRUE(Epoch(*a, 1, 0.5).ok());
  ASSERT_TRUE(Complete(*a, 0.5).ok());
  auto b = Acquire("embedded-0");  // its epochs are buffered: the report itself is taken
  store_fault_ = true;
  auto reply = Epoch(*b, 1, 0.9);
  ASSERT_TRUE(reply.ok());
  EXPECT_FALSE(reply->stop);
  EXPECT_EQ(Get(s.id).counts.running, 1);
  store_fault_ = false;
  reply = Epoch(*b, 1, 0.9);  // the worker's retry of the same epoch
  ASSERT_TRUE(reply.ok());
  EXPECT_TRUE(reply->stop);
  EXPECT_EQ(Get(s.id).counts.pruned, 1);
}

// What a never-restarted scheduler hands out next, against one restarted midway.
TEST_F(SchedulerTest, TpeAndAshaResumeFromTheStoredHistory) {
  const std::string spec = std::string(R"(name: tpe
dataset: {name: xor}
objective: {metric: val_loss, goal: minimize}
method: tpe
tpe: {startup_trials: 3}
pruning: {method: asha, min_epochs: 1, reduction_factor: 2}
budget: {max_trials: 12}
fixed: {epochs: 4, hidden: [4]}
parameters:
  lr: {min: 1.0e-4, max: 1.0, scale: log}
  optimizer: {values: [sgd, adam]}
)");
  auto loss = [](const Lease& l, int epoch) {
    const double x = std::log10(l.params.at("lr").number()) + 2;
    return x * x + (l.params.at("optimizer").as_string() == "sgd" ? 0.3 : 0) + 1.0 / epoch;
  };
  // Six trials: three run to the end, the rest are judged at rung 1 (some pruned);
  // then one stays running on a remote worker.
  auto drive = [&](std::vector<std::string>* log) {
    for (int i = 0; i < 6; ++i) {
      auto l = Acquire("remote-a");
      ASSERT_TRUE(l.has_value());
      bool stopped = false;
      for (int e = 1; e <= 4 && !stopped; ++e) {
        auto r = Epoch(*l, e, loss(*l, e));
        ASSERT_TRUE(r.ok());
        stopped = r->stop;
        if (stopped) log->push_back(absl::StrCat(i, ": ", r->reason));
      }
      if (!stopped) {
        ASSERT_TRUE(Complete(*l, loss(*l, 4)).ok());
      }
    }
  };
  const std::string db = FileDb("tpe");

  std::vector<std::string> twin_log, log;
  // The twin: no restart.
  Submit(spec);
  drive(&twin_log);
  auto twin_running = Acquire("remote-b");
  ASSERT_FALSE(Epoch(*twin_running, 1, 0.0)->stop);  // the best at rung 1
  std::vector<Lease> twin_next;
  for (int i = 0; i < 3; ++i) twin_next.push_back(*Acquire("remote-c"));
  auto twin_judged = Epoch(twin_next[0], 1, loss(twin_next[0], 1));

  // The same, restarted after the seventh trial started.
  Open(db);
  const store::SweepRecord s = Submit(spec);
  drive(&log);
  EXPECT_EQ(log, twin_log);
  auto running = Acquire("remote-b");
  EXPECT_EQ(running->params, twin_running->params);
  ASSERT_TRUE(Epoch(*running, 1, 0.0).ok());
  Open(db);  // kill -9 and restart
  const store::SweepRecord resumed = Get(s.id);
  EXPECT_EQ(resumed.counts.running, 1);
  EXPECT_EQ(resumed.counts.completed + resumed.counts.pruned, 6);
  for (int i = 0; i < 3; ++i) {
    auto l = Acquire("remote-c");
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->key.index, twin_next[static_cast<std::size_t>(i)].key.index);
    EXPECT_EQ(l->params, twin_next[static_cast<std::size_t>(i)].params) << "trial " << l->key.index;
    if (i == 0) {
      auto judged = Epoch(*l, 1, loss(*l, 1));
      ASSERT_TRUE(judged.ok() && twin_judged.ok());
      EXPECT_EQ(judged->stop, twin_judged->stop);
      EXPECT_EQ(judged->reason, twin_judged->reason);
    }
  }
  ExpectSound();
  scheduler_.reset();
  store_.reset();
}

}  // namespace
}  // namespace hpsearch::scheduler::test
