// A strategy's suggestion (TPE: tens of ms at 10,000 trials) is computed without the
// scheduler's lock: while it runs, every other call of every sweep is served, a
// second acquirer of the same sweep waits for it and then gets the trial after it,
// and a suggestion whose sweep ended meanwhile is dropped without a trace.
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "gtest/gtest.h"
#include "search/strategy.h"
#include "tests/server/scheduler_fixture.h"

namespace hpsearch::scheduler::test {
namespace {

// Holds every prepared job until opened; counts the jobs that entered it.
struct Latch {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int entered = 0;
  void Enter() {
    std::unique_lock lock(mu);
    ++entered;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
  }
  bool WaitEntered(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(20), [&] { return entered >= n; });
  }
  void Open() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

// TPE whose off-lock jobs wait at the latch.
class LatchedStrategy final : public search::Strategy {
 public:
  LatchedStrategy(std::unique_ptr<search::Strategy> inner, std::shared_ptr<Latch> latch)
      : inner_(std::move(inner)), latch_(std::move(latch)) {}
  int64_t total() const override { return inner_->total(); }
  std::optional<Params> Next() override { return inner_->Next(); }
  void Observe(const search::Observation& o) override { inner_->Observe(o); }
  std::string note() const override { return inner_->note(); }
  void Skip(int64_t n) override { inner_->Skip(n); }
  void Restore(int64_t next, const std::vector<search::Observation>& h) override { inner_->Restore(next, h); }
  bool learns() const override { return inner_->learns(); }
  PreparedNext PrepareNext() override {
    PreparedNext job = inner_->PrepareNext();
    if (job)
      job.run = [run = job.run, latch = latch_] {
        latch->Enter();
        return run();
      };
    return job;
  }
  std::optional<Params> AcceptNext(const PreparedNext& job, std::optional<Params> result) override {
    return inner_->AcceptNext(job, std::move(result));
  }

 private:
  std::unique_ptr<search::Strategy> inner_;
  std::shared_ptr<Latch> latch_;
};

const std::string kTpe = R"(name: tpe
dataset: {name: xor}
objective: {metric: val_loss, goal: minimize}
method: tpe
tpe: {startup_trials: 2}
budget: {max_trials: 20}
fixed: {epochs: 2}
parameters:
  lr: {min: 1.0e-4, max: 1.0, scale: log}
  dropout: {min: 0.0, max: 0.5}
)";

class SuggestionTest : public SchedulerTest {
 protected:
  void SetUp() override {
    latch_ = std::make_shared<Latch>();
    SchedulerOptions o;
    o.make_strategy = [latch = latch_](const search::Spec& spec) -> absl::StatusOr<std::unique_ptr<search::Strategy>> {
      auto inner = search::MakeStrategy(spec);
      if (!inner.ok()) return inner.status();
      return std::unique_ptr<search::Strategy>(std::make_unique<LatchedStrategy>(*std::move(inner), latch));
    };
    Open(":memory:", o);
  }
  // Two start-up trials completed: the third is TPE's (a job, off the lock).
  store::SweepRecord PastStartUp() {
    const store::SweepRecord s = Submit(kTpe);
    for (int i = 0; i < 2; ++i) {
      auto l = Acquire("w-start");
      EXPECT_TRUE(l.has_value());
      EXPECT_TRUE(Complete(*l, 0.5 - 0.1 * i).ok());
    }
    return s;
  }
  std::shared_ptr<Latch> latch_;
};

TEST_F(SuggestionTest, EveryOtherCallIsServedWhileASuggestionComputes) {
  const store::SweepRecord grid = Submit(kGrid);
  auto other = Acquire("w-grid");  // a trial of another sweep, running
  ASSERT_TRUE(other.has_value());
  ASSERT_EQ(other->key.sweep_id, grid.id);
  const store::SweepRecord tpe = PastStartUp();
  auto suggested = std::async(std::launch::async, [&] { return scheduler_->Acquire("w-tpe", ""); });
  ASSERT_TRUE(latch_->WaitEntered(1));
  // The suggestion is computing: reads, reports, completions and other sweeps' leases
  // go on meanwhile (they used to wait for it behind the scheduler's lock).
  auto served = std::async(std::launch::async, [&] {
    EXPECT_EQ(Get(tpe.id).counts.completed, 2);
    EXPECT_TRUE(Epoch(*other, 1, 0.3).ok());
    EXPECT_TRUE(Complete(*other, 0.3).ok());
    auto next = Acquire("w-grid");
    EXPECT_TRUE(next.has_value() && next->key.sweep_id == grid.id);
    EXPECT_TRUE(scheduler_->ListSweeps(0, 10).ok());
  });
  ASSERT_EQ(served.wait_for(std::chrono::seconds(20)), std::future_status::ready) << "calls waited for the suggestion";
  served.get();
  EXPECT_EQ(suggested.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  latch_->Open();
  auto lease = suggested.get();
  ASSERT_TRUE(lease.ok()) << lease.status();
  ASSERT_TRUE(lease->has_value());
  EXPECT_EQ((*lease)->key.sweep_id, tpe.id);
  EXPECT_EQ((*lease)->key.index, 2);
}

TEST_F(SuggestionTest, ASecondAcquirerOfTheSweepWaitsAndGetsTheNextTrial) {
  const store::SweepRecord tpe = PastStartUp();
  auto first = std::async(std::launch::async, [&] { return scheduler_->Acquire("w-a", ""); });
  ASSERT_TRUE(latch_->WaitEntered(1));
  auto second = std::async(std::launch::async, [&] { return scheduler_->Acquire("w-b", ""); });
  EXPECT_EQ(second.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  EXPECT_EQ(latch_->entered, 1) << "one suggestion per sweep at a time";
  latch_->Open();
  auto a = first.get();
  auto b = second.get();
  ASSERT_TRUE(a.ok() && a->has_value());
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((*a)->key.index, 2);
  EXPECT_EQ((*b)->key.index, 3);
  EXPECT_NE(ConfigHash((*a)->params), ConfigHash((*b)->params));
  EXPECT_EQ(Get(tpe.id).counts.running, 2);
}

TEST_F(SuggestionTest, ASuggestionForASweepCancelledMeanwhileIsDropped) {
  const store::SweepRecord tpe = PastStartUp();
  auto pending = std::async(std::launch::async, [&] { return scheduler_->Acquire("w-a", ""); });
  ASSERT_TRUE(latch_->WaitEntered(1));
  ASSERT_TRUE(scheduler_->Cancel(tpe.id, false).ok());
  latch_->Open();
  auto lease = pending.get();
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_FALSE(lease->has_value());
  const store::SweepRecord s = Get(tpe.id);
  EXPECT_EQ(s.status, SweepStatus::kCancelled);
  EXPECT_EQ(s.counts.running, 0);
  EXPECT_EQ(s.counts.completed, 2);
  ExpectSound();
}

}  // namespace
}  // namespace hpsearch::scheduler::test
