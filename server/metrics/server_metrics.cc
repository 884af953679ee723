#include "server/metrics/server_metrics.h"

#include "server/metrics/exposition.h"

namespace hpsearch::metrics {

namespace {

void Write(Exposition& out, const std::string& name, const std::string& help, const LabeledCounter& c) {
  out.Family(name, "counter", help);
  for (const auto& [values, n] : c.Read()) {
    Labels labels;
    for (size_t i = 0; i < values.size(); ++i) labels.emplace_back(c.names()[i], values[i]);
    out.Sample(name, labels, n);
  }
}

void Write(Exposition& out, const std::string& name, const std::string& help, const Histogram& h) {
  out.Family(name, "histogram", help);
  const Histogram::Snapshot s = h.Read();
  for (size_t i = 0; i < s.bounds.size(); ++i) {
    out.Sample(name + "_bucket", {{"le", FormatValue(s.bounds[i])}}, static_cast<double>(s.cumulative[i]));
  }
  out.Sample(name + "_sum", {}, s.sum);
  out.Sample(name + "_count", {}, static_cast<double>(s.count));
}

void Gauge(Exposition& out, const std::string& name, const std::string& help, double v) {
  out.Family(name, "gauge", help);
  out.Sample(name, {}, v);
}

}  // namespace

ServerMetrics::ServerMetrics()
    // Trials run from a fraction of a second (tabular data) to hours.
    : trial_seconds_({0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200}),
      // A commit is one WAL append: well under a millisecond, unless the disk stalls.
      commit_seconds_({0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}) {
  for (const char* s : {"completed", "failed", "pruned", "cancelled"}) trials_.Touch({s});
}

void ServerMetrics::TrialEnded(const std::string& status, std::optional<double> seconds) {
  trials_.Add({status});
  if (seconds) trial_seconds_.Observe(*seconds);
}

std::string ServerMetrics::Text(const Gauges& g) const {
  Exposition out;
  Write(out, "hpsearch_trials_total", "Trials that ended since the server started, by final status.", trials_);
  Gauge(out, "hpsearch_trials_running", "Trials holding a lease now.", static_cast<double>(g.trials_running));
  Gauge(out, "hpsearch_trials_pending", "Trials of running sweeps waiting to start (queued or not yet drawn).",
        static_cast<double>(g.trials_pending));
  out.Family("hpsearch_sweeps", "gauge", "Sweeps in the database, by status.");
  for (const auto& [status, n] : g.sweeps) out.Sample("hpsearch_sweeps", {{"status", status}}, static_cast<double>(n));
  Write(out, "hpsearch_trial_duration_seconds", "Run time of trials that ran to an end (completed, failed, pruned).",
        trial_seconds_);
  out.Family("hpsearch_epoch_reports_total", "counter", "Epoch reports accepted from workers.");
  out.Sample("hpsearch_epoch_reports_total", {}, static_cast<double>(epoch_reports_.load()));
  out.Family("hpsearch_leases_lost_total", "counter",
             "Leases that expired or died with their worker (the trial ran again or failed).");
  out.Sample("hpsearch_leases_lost_total", {}, static_cast<double>(leases_lost_.load()));
  Gauge(out, "hpsearch_watch_streams", "Live streams open now: WatchSweep and the dashboard's event streams.",
        static_cast<double>(g.watch_streams));
  Write(out, "hpsearch_store_commit_seconds", "Time of each database write transaction, commit included.",
        commit_seconds_);
  Write(out, "hpsearch_grpc_requests_total", "gRPC calls finished, by method and status code.", rpcs_);
  Gauge(out, "hpsearch_workers_connected", "Workers heard from within one lease (the embedded slots count as one).",
        static_cast<double>(g.workers_connected));
  return out.text();
}

}  // namespace hpsearch::metrics
