// RunLease: a lease in, the sink's calls out — one report per epoch, then exactly one
// completion or failure (or nothing after a sink said stop).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "tests/worker/fake_trial_source.h"
#include "worker/runtime/lease_runner.h"

namespace hpsearch::runtime {
namespace {

using test::TinyLease;
using ::testing::HasSubstr;

class RecordingSink : public TrialSink {
 public:
  bool OnEpoch(const EpochMetrics& e, const ActivationStats& s) override {
    epochs.push_back(e);
    stats.push_back(s);
    if (abort_after > 0 && static_cast<int>(epochs.size()) == abort_after) abort->store(true);
    return stop_after == 0 || static_cast<int>(epochs.size()) < stop_after;
  }
  void OnComplete(const TrialResult& r) override { results.push_back(r); }
  void OnFail(const std::string& reason, bool permanent) override { failures.emplace_back(reason, permanent); }

  int stop_after = 0;   // return false at this epoch
  int abort_after = 0;  // set *abort at this epoch
  std::atomic<bool>* abort = nullptr;
  std::vector<EpochMetrics> epochs;
  std::vector<ActivationStats> stats;
  std::vector<TrialResult> results;
  std::vector<std::pair<std::string, bool>> failures;
};

class LeaseRunner : public ::testing::Test {
 protected:
  data::DatasetCache cache_{data::DataEnvironment{}};
  RecordingSink sink_;
};

TEST_F(LeaseRunner, ReportsEveryEpochThenCompletesOnce) {
  RunLease(TinyLease(0, 3), cache_, {}, sink_);
  ASSERT_EQ(sink_.epochs.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sink_.epochs[i].epoch, i + 1);
    EXPECT_TRUE(sink_.epochs[i].metrics.count("val_loss"));
    EXPECT_TRUE(sink_.epochs[i].metrics.count("train_accuracy"));
    EXPECT_DOUBLE_EQ(sink_.epochs[i].lr, 0.05);
    EXPECT_EQ(sink_.stats[i].mean.size(), 1u);  // one hidden layer
  }
  ASSERT_EQ(sink_.results.size(), 1u);
  EXPECT_TRUE(sink_.failures.empty());
  const TrialResult& r = sink_.results[0];
  EXPECT_TRUE(r.metrics.count("val_accuracy"));
  EXPECT_TRUE(r.metrics.count("test_accuracy"));
  EXPECT_EQ(r.parameter_count, 2 * 4 + 4 + 4 * 2 + 2);  // xor: 2 inputs, 2 classes
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].epoch, 0);  // at init
}

TEST_F(LeaseRunner, TheSameLeaseTrainsTheSameModel) {
  RunLease(TinyLease(3, 2), cache_, {}, sink_);
  RecordingSink again;
  RunLease(TinyLease(3, 2), cache_, {}, again);
  ASSERT_EQ(sink_.results.size(), 1u);
  ASSERT_EQ(again.results.size(), 1u);
  EXPECT_EQ(sink_.results[0].metrics, again.results[0].metrics);
}

TEST_F(LeaseRunner, ASinkThatSaysStopHearsNothingMore) {
  sink_.stop_after = 2;
  RunLease(TinyLease(0, 5), cache_, {}, sink_);
  EXPECT_EQ(sink_.epochs.size(), 2u);
  EXPECT_TRUE(sink_.results.empty());
  EXPECT_TRUE(sink_.failures.empty());
}

TEST_F(LeaseRunner, AnAbortHandsTheTrialBackAsNotItsFault) {
  std::atomic<bool> abort{false};
  sink_.abort = &abort;
  sink_.abort_after = 1;
  RunnerOptions o;
  o.abort = &abort;
  RunLease(TinyLease(0, 5), cache_, o, sink_);
  EXPECT_EQ(sink_.epochs.size(), 1u);
  EXPECT_TRUE(sink_.results.empty());
  ASSERT_EQ(sink_.failures.size(), 1u);
  EXPECT_THAT(sink_.failures[0].first, HasSubstr("shutting down"));
  EXPECT_FALSE(sink_.failures[0].second);
}

TEST_F(LeaseRunner, ABadConfigOrDatasetFailsPermanentlyNamingTheSetting) {
  Lease bad = TinyLease(0);
  bad.params["optimizer"] = Value("adamw2");
  RunLease(bad, cache_, {}, sink_);
  ASSERT_EQ(sink_.failures.size(), 1u);
  EXPECT_THAT(sink_.failures[0].first, HasSubstr("optimizer"));
  EXPECT_TRUE(sink_.failures[0].second);
  EXPECT_TRUE(sink_.epochs.empty());

  RecordingSink no_data;
  Lease missing = TinyLease(0);
  missing.dataset.name = "csv";
  missing.dataset.path = "/nonexistent/hpsearch-test.csv";
  RunLease(missing, cache_, {}, no_data);
  ASSERT_EQ(no_data.failures.size(), 1u);
  EXPECT_TRUE(no_data.failures[0].second);
  EXPECT_TRUE(no_data.results.empty());
}

TEST_F(LeaseRunner, ATrialTooBigForTheMemoryLimitFailsBeforeTraining) {
  Lease big = TinyLease(0);
  big.params["hidden"] = Value(Value::List{Value(int64_t{4096}), Value(int64_t{4096})});
  RunnerOptions o;
  o.memory_limit_bytes = 1 << 20;
  RunLease(big, cache_, o, sink_);
  ASSERT_EQ(sink_.failures.size(), 1u);
  EXPECT_TRUE(sink_.failures[0].second);
  EXPECT_TRUE(sink_.epochs.empty());
}

TEST_F(LeaseRunner, ADivergingTrialFailsPermanently) {
  Lease wild = TinyLease(0, 20);
  wild.params["lr"] = Value(1000.0);
  wild.params["optimizer"] = Value("sgd");
  RunLease(wild, cache_, {}, sink_);
  ASSERT_EQ(sink_.failures.size(), 1u);
  EXPECT_THAT(sink_.failures[0].first, HasSubstr("diverged")) << sink_.failures[0].first;
  EXPECT_TRUE(sink_.failures[0].second);
  EXPECT_TRUE(sink_.results.empty());
}

}  // namespace
}  // namespace hpsearch::runtime
