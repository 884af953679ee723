// The Prometheus text format and the metrics hpsearch-server exports (the real
// server's /metrics is linted by a Prometheus parser in tests/e2e/http_test.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "server/metrics/exposition.h"
#include "server/metrics/histogram.h"
#include "server/metrics/server_metrics.h"

namespace hpsearch::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Exposition, ValuesAndLabelsAreWrittenAsPrometheusReadsThem) {
  EXPECT_EQ(FormatValue(1), "1");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(0.0001), "0.0001");
  EXPECT_EQ(FormatValue(1e20), "1e+20");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  Exposition e;
  e.Family("x_total", "counter", "Things.\nMore");
  e.Sample("x_total", {{"k", "v\""}, {"m", "n"}}, 3);
  EXPECT_EQ(e.text(), "# HELP x_total Things.\\nMore\n# TYPE x_total counter\nx_total{k=\"v\\\"\",m=\"n\"} 3\n");
}

TEST(Histogram, BucketsAreCumulativeAndBoundsInclusive) {
  Histogram h({1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 2.0, 7.0}) h.Observe(v);
  const Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{2, 4, 4, 5}));  // le=1, 2, 5, +Inf
  EXPECT_EQ(s.count, 5u);
  EXPECT_DOUBLE_EQ(s.sum, 12.0);
}

TEST(ServerMetrics, EveryFamilyIsExportedWithItsTypeAndNoIdLabels) {
  ServerMetrics m;
  m.TrialEnded("completed", 3.5);
  m.TrialEnded("cancelled", std::nullopt);
  m.EpochReported();
  m.LeaseLost();
  m.StoreCommitted(0.0004);
  m.RpcFinished("hpsearch.v1.SweepService/GetSweep", "NOT_FOUND");
  Gauges g;
  g.trials_running = 2;
  g.sweeps = {{"running", 1}, {"completed", 4}};
  const std::string text = m.Text(g);
  for (const char* family :
       {"# TYPE hpsearch_trials_total counter", "# TYPE hpsearch_trials_running gauge",
        "# TYPE hpsearch_trials_pending gauge", "# TYPE hpsearch_sweeps gauge",
        "# TYPE hpsearch_trial_duration_seconds histogram", "# TYPE hpsearch_epoch_reports_total counter",
        "# TYPE hpsearch_leases_lost_total counter", "# TYPE hpsearch_watch_streams gauge",
        "# TYPE hpsearch_store_commit_seconds histogram", "# TYPE hpsearch_grpc_requests_total counter",
        "# TYPE hpsearch_workers_connected gauge"}) {
    EXPECT_THAT(text, HasSubstr(family));
  }
  EXPECT_THAT(text, HasSubstr("hpsearch_trials_total{status=\"completed\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hpsearch_trials_total{status=\"pruned\"} 0\n"));  // present before the first
  EXPECT_THAT(text, HasSubstr("hpsearch_trial_duration_seconds_count 1\n"));     // the cancelled one never ran
  EXPECT_THAT(text, HasSubstr("hpsearch_trial_duration_seconds_bucket{le=\"5\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hpsearch_trial_duration_seconds_bucket{le=\"2.5\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("hpsearch_store_commit_seconds_bucket{le=\"0.0005\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr("hpsearch_grpc_requests_total{method=\"hpsearch.v1.SweepService/GetSweep\",code=\"NOT_FOUND\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hpsearch_sweeps{status=\"completed\"} 4\n"));
  EXPECT_THAT(text, Not(HasSubstr("trial=")));
  EXPECT_THAT(text, Not(HasSubstr("sweep=")));
}

}  // namespace
}  // namespace hpsearch::metrics
