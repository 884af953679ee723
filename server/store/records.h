// What the store keeps, as plain records: sweeps, trials, their attempts and curves.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/protocol/epoch_report.h"
#include "common/protocol/trial_status.h"
#include "common/util/value.h"

namespace hpsearch::store {

// Trials of a sweep by status.
struct TrialCounts {
  int64_t pending = 0, running = 0, completed = 0, failed = 0, pruned = 0, cancelled = 0;

  int64_t& of(TrialStatus s);
  int64_t of(TrialStatus s) const { return const_cast<TrialCounts*>(this)->of(s); }
  int64_t finished() const { return completed + failed + pruned + cancelled; }
  int64_t total() const { return pending + running + finished(); }
  friend bool operator==(const TrialCounts&, const TrialCounts&) = default;
};

struct SweepRecord {
  int64_t rowid = 0;
  std::string id;  // "s-000042"
  std::string name;
  // The spec as submitted, in the wire encoding (the service encodes and decodes
  // it; to the store and the scheduler it is opaque bytes).
  std::string spec;
  SweepStatus status = SweepStatus::kRunning;
  std::string status_reason;
  int64_t total_trials = 0;
  bool maximize = false;
  int64_t created_ms = 0;   // unix ms
  int64_t finished_ms = 0;  // 0 while unfinished
  int64_t idle_ms = 0;      // time it sat finished before extend/retry ran it again
  TrialCounts counts;       // final once finished (live ones come from the scheduler)
  // Planned trials that never started because the sweep ended first: they have no
  // rows (no listing shows them), so they are not in `counts`; total_trials =
  // counts.total() + not_started once finished.
  int64_t not_started = 0;
  std::optional<double> best_objective;
  int64_t best_trial = -1;
  std::string request_id;  // the SubmitSweep request that made it ("" if none given)
  // SWEEP_STOPPING: the status it finishes with (kCancelled for a stop).
  SweepStatus ending_status = SweepStatus::kUnspecified;
};

// One attempt at a trial: the first run, or a retry after a lost lease.
struct AttemptRecord {
  int32_t attempt = 1;
  std::string worker;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;  // 0 while running
  // "completed", "failed: <reason>", "cancelled: <reason>", "lease expired (worker w)",
  // "handed back: <why>", "server restarted".
  std::string outcome;
  // The lease's random id (store only: never shown, never sent but to its worker).
  std::string lease_id;
  uint64_t seed = 0;  // the seed it trained with
};

struct TrialRecord {
  int64_t trial_id = 0;  // the row id
  std::string sweep_id;  // "s-000042"
  int64_t index = 0;     // position in its sweep, from 0
  TrialStatus status = TrialStatus::kPending;
  Params params;  // searched settings merged over the spec's fixed ones
  uint64_t seed = 0;
  int32_t attempt = 1;  // current or last attempt
  int32_t lost = 0;     // leases lost (count toward the attempt limit)
  std::string worker;
  std::optional<double> objective;        // COMPLETED only
  std::map<std::string, double> metrics;  // final metrics
  std::string failure_reason;
  int64_t created_ms = 0, started_ms = 0, finished_ms = 0;
  int64_t parameter_count = 0;
  int32_t epochs_run = 0;  // its last stored epoch (0: none); read only
  // With ReadTxn::GetTrial only:
  std::vector<EpochMetrics> epochs;
  std::vector<ActivationStats> diagnostics;  // at init (epoch 0) and per epoch
  std::vector<AttemptRecord> attempts;       // oldest first
  // With ReadTxn::OpenTrials only: the AcquireTrial request of the current attempt,
  // and its lease's random id (the scheduler also keeps it for a running trial).
  std::string request_id;
  std::string lease_id;
};

}  // namespace hpsearch::store
