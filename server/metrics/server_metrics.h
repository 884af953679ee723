// Everything hpsearch-server exports on /metrics (docs/operations.md, "Metrics"):
// counters and histograms the scheduler and the rpc layer feed as things happen, and
// gauges read when scraped. Names follow the Prometheus conventions: an
// `hpsearch_` prefix, base units (seconds), `_total` for counters, and no label with
// unbounded values (never a trial or sweep id). Thread-safe; plain C++.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "server/metrics/histogram.h"
#include "server/metrics/labeled_counter.h"

namespace hpsearch::metrics {

// What a scrape reads from the live server.
struct Gauges {
  int64_t trials_running = 0;
  int64_t trials_pending = 0;             // queued or not yet started in running sweeps
  std::map<std::string, int64_t> sweeps;  // by status ("running", "completed", ...)
  int64_t workers_connected = 0;          // embedded slots count as one worker
  int64_t watch_streams = 0;
};

class ServerMetrics {
 public:
  ServerMetrics();

  // A trial ended with `status` (completed, failed, pruned, cancelled) after running
  // `seconds` (none: it never ran, e.g. cancelled while queued).
  void TrialEnded(const std::string& status, std::optional<double> seconds);
  void EpochReported() { epoch_reports_.fetch_add(1, std::memory_order_relaxed); }
  void LeaseLost() { leases_lost_.fetch_add(1, std::memory_order_relaxed); }
  void StoreCommitted(double seconds) { commit_seconds_.Observe(seconds); }
  // An rpc finished: `method` as "hpsearch.v1.SweepService/GetSweep", `code` as
  // "OK", "NOT_FOUND", ...
  void RpcFinished(const std::string& method, const std::string& code) { rpcs_.Add({method, code}); }

  // The exposition text, with `gauges` as read now.
  std::string Text(const Gauges& gauges) const;

 private:
  LabeledCounter trials_{{"status"}};
  LabeledCounter rpcs_{{"method", "code"}};
  std::atomic<uint64_t> epoch_reports_{0};
  std::atomic<uint64_t> leases_lost_{0};
  Histogram trial_seconds_;
  Histogram commit_seconds_;
};

}  // namespace hpsearch::metrics
