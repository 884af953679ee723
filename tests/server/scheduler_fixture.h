// The scheduler under test with a fake trainer (the test plays the worker), a fake
// clock that the test advances, and a store whose commits can be made to fail.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "search/spec_file.h"
#include "server/scheduler/scheduler.h"
#include "server/store/integrity.h"
#include "tests/testing/process.h"
#include "tests/testing/status_matchers.h"

namespace hpsearch::scheduler::test {

inline search::Spec Spec(const std::string& yaml) {
  auto spec = client::ParseSpecYaml(yaml);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return *spec;
}

// 6 grid trials on xor, minimising val_loss.
inline const std::string kGrid = std::string("objective: {metric: val_loss, goal: minimize}\n") + R"(
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
    if (!o.decode_spec) o.decode_spec = [](const std::string& yaml) { return client::ParseSpecYaml(yaml); };
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

  // The store's integrity checker finds nothing wrong.
  // A database file in a temporary directory of the test's own, removed (after the
  // store is closed) when the test ends: for restarts, which ":memory:" does not survive.
  std::string FileDb(const std::string& name) {
    db_dir_ = std::make_unique<hpsearch::testing::TempDir>("hpsearch-" + name);
    return *db_dir_ / (name + ".db");
  }

  void TearDown() override {
    scheduler_.reset();
    store_.reset();
    db_dir_.reset();
  }

  void ExpectSound() {
    ASSERT_TRUE(store_
                    ->Read([&](store::ReadTxn& r) {
                      for (const auto& v : store::CheckIntegrity(r)) ADD_FAILURE() << v;
                      return absl::OkStatus();
                    })
                    .ok());
  }

  // The sweep's counts agree with each other and with its listing (docs/spec.md,
  // "Counts agree with listings"): each status counts the rows `trials --status` lists,
  // and with not_started (the planned trials without a row) they make the total.
  store::SweepRecord ExpectCountsAgree(const std::string& id, const std::string& when) {
    const store::SweepRecord r = Get(id);
    EXPECT_EQ(r.counts.total() + r.not_started, r.total_trials) << when;
    EXPECT_GE(r.not_started, 0) << when;
    EXPECT_TRUE(store_
                    ->Read([&](store::ReadTxn& read) {
                      for (TrialStatus status : {TrialStatus::kPending, TrialStatus::kRunning, TrialStatus::kCompleted,
                                                 TrialStatus::kFailed, TrialStatus::kPruned, TrialStatus::kCancelled}) {
                        store::TrialQuery q;
                        q.status = status;
                        auto page = read.ListTrials(r.rowid, q);
                        if (!page.ok()) return page.status();
                        EXPECT_EQ(page->total, r.counts.of(status)) << when << ": " << Name(status) << " rows";
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return r;
  }

  // One step of a sweep that stops: its counts agree (ExpectCountsAgree), and it has
  // this status, these running, completed and cancelled trials and these never started.
  struct StopStep {
    SweepStatus status;
    int64_t running, completed, cancelled, not_started;
  };
  store::SweepRecord ExpectStopStep(const std::string& id, const std::string& when, const StopStep& want) {
    const store::SweepRecord r = ExpectCountsAgree(id, when);
    EXPECT_EQ(r.status, want.status) << when;
    EXPECT_EQ(r.counts.running, want.running) << when;
    EXPECT_EQ(r.counts.completed, want.completed) << when;
    EXPECT_EQ(r.counts.cancelled, want.cancelled) << when;
    EXPECT_EQ(r.not_started, want.not_started) << when;
    return r;
  }

  int64_t now_ = 1'000'000;
  int64_t wall_step_ = 0;
  bool store_fault_ = false;  // every commit fails while set (a full disk)
  SchedulerOptions options_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<hpsearch::testing::TempDir> db_dir_;  // FileDb's
};

}  // namespace hpsearch::scheduler::test
