// What the scheduler keeps in memory about one unfinished sweep. The database is the
// record; this is the working copy that makes scheduling decisions cheap, rebuilt
// from the database on restart (Scheduler::Recover).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/protocol/epoch_report.h"
#include "search/objectives.h"
#include "search/pruner.h"
#include "search/spec.h"
#include "search/strategy.h"
#include "server/store/records.h"

namespace hpsearch::scheduler {

// A trial holding a lease. `trial` is its record as stored (row id, index, params,
// seed, attempt, lost leases, worker, start).
struct RunningTrial {
  store::TrialRecord trial;
  int64_t expires_mono = 0;  // monotonic ms: the lease ends here unless a report extends it
  // Epochs not yet written, one per epoch number (a retried report replaces its
  // epoch). A remote worker's epochs are written before they are acknowledged (its
  // lease outlives a restart). An embedded slot's are written at most once a second
  // and always with the trial's end: if the server dies first, its attempt runs
  // again from the start anyway, so nothing a user could see is lost. A failed write
  // keeps them for the next one.
  struct Epoch {
    EpochMetrics metrics;
    std::optional<ActivationStats> stats;
  };
  std::vector<Epoch> unflushed;
  int64_t flushed_mono = 0;
};

struct SweepState {
  int64_t rowid = 0;
  std::string id;          // "s-000001"
  std::string spec_bytes;  // as submitted (encoded), for the sweep's record
  search::Spec spec;
  std::unique_ptr<search::Strategy> strategy;
  std::unique_ptr<search::Pruner> pruner;  // null: no pruning
  std::string metric;
  bool maximize = false;
  // A multi-objective sweep's objectives, the first (metric, maximize) first; else empty.
  std::vector<search::ResolvedObjective> objectives;
  int64_t created_ms = 0;      // unix ms
  int64_t deadline_mono = 0;   // monotonic ms; 0: no max_duration
  int64_t max_failed = 0;      // 0: unlimited
  int32_t max_concurrent = 0;  // 0: as many as there are slots

  int64_t total = 0;                                       // trials the sweep will run
  int64_t next_index = 0;                                  // next never-created trial
  int64_t enqueued = 0;                                    // trials an ask gave the values of: not the strategy's draws
  int64_t drawn() const { return next_index - enqueued; }  // the strategy's own trials so far
  // Trials waiting to run again (an earlier attempt lost its lease or was handed
  // back, or the drawn configuration could not be written yet: trial_id 0), by
  // index: retries first, lowest index first. `attempt` is the one they will run as.
  std::map<int64_t, store::TrialRecord> queued;
  std::map<int64_t, RunningTrial> running;  // by trial index
  store::TrialCounts done;                  // completed, failed, pruned, cancelled
  std::optional<double> best;
  int64_t best_trial = -1;
  std::string last_failure;
  int64_t last_served = 0;  // acquire sequence number, for round-robin ties
  // Unique per working copy (a restart, extend or retry makes a new one), so a
  // suggestion computed without the lock knows whether it is still for this copy.
  uint64_t serial = 0;
  bool suggesting = false;  // a suggestion is being computed without the lock

  // Set once the sweep is winding down: nothing new starts, queued trials are
  // cancelled, the never-created ones stay not_started (total - next_index: they have
  // no rows, so `done` never counts them), and it finishes with end_status once none
  // runs. A cancel of a stopping sweep replaces end_status and end_reason.
  bool ending = false;
  SweepStatus end_status = SweepStatus::kCompleted;
  std::string end_reason;

  int64_t unstarted() const { return ending ? 0 : total - next_index; }
  bool has_work() const { return !ending && (!queued.empty() || next_index < total); }
  bool better(double objective) const { return !best || (maximize ? objective > *best : objective < *best); }
};

// What the sweep's strategy is told of a trial.
inline search::Observation Observed(const store::TrialRecord& t, search::TrialState state,
                                    std::optional<double> value = std::nullopt, int64_t epoch = 0) {
  return search::Observation{t.index, t.params, state, value, epoch};
}

// A completed trial's value of each of a multi-objective sweep's objectives (its
// `seconds`: the attempt's start to `finished_ms`, or to now while it finishes);
// nullopt when one is missing.
inline std::optional<std::vector<double>> ObjectiveValues(const SweepState& s, const store::TrialRecord& t,
                                                          const std::map<std::string, double>& metrics,
                                                          int64_t finished_ms) {
  return search::ObjectiveValues(s.objectives,
                                 search::OutcomeOf(metrics, t.parameter_count, t.started_ms, finished_ms));
}
inline std::optional<std::vector<double>> ObjectiveValues(const SweepState& s, const store::TrialRecord& t) {
  return ObjectiveValues(s, t, t.metrics, t.finished_ms);
}

}  // namespace hpsearch::scheduler
