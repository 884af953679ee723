// The read side of the server: what every edge (the gRPC service today, an HTTP
// dashboard tomorrow) reads through, so none of them builds store queries itself.
// Sweeps come with live counters from the scheduler; trials from the store.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "search/importance.h"
#include "search/pareto_ranking.h"
#include "server/scheduler/history.h"
#include "server/scheduler/scheduler.h"
#include "server/store/store.h"
#include "server/store/trial_logs.h"

namespace hpsearch::scheduler {

class Query {
 public:
  // `logs`: where command trials' output is kept (none: the server runs no command trials).
  Query(Scheduler& scheduler, store::Store& store, const store::TrialLogs* logs = nullptr)
      : scheduler_(scheduler), store_(store), logs_(logs) {}

  // By id or name, live. NOT_FOUND naming the sweep.
  absl::StatusOr<store::SweepRecord> Sweep(const std::string& sweep) { return scheduler_.GetSweep(sweep); }
  // Newest first.
  absl::StatusOr<SweepPage> Sweeps(int64_t offset, int32_t limit) { return scheduler_.ListSweeps(offset, limit); }
  // One keyset page (store::TrialQuery) of the trials meeting every condition in
  // `where` (scheduler/trial_filter.h's text form); INVALID_ARGUMENT for a bad sort
  // key, condition or cursor, and for more than store::kMaxTrialConditions conditions.
  absl::StatusOr<store::TrialPage> Trials(const std::string& sweep, const store::TrialQuery& query,
                                          const std::vector<std::string>& where = {});
  // With curve, diagnostics and attempts. NOT_FOUND says whether the trial has not
  // started yet or the sweep has no such trial.
  absl::StatusOr<store::TrialRecord> Trial(const std::string& sweep, int64_t index);
  // A slice of what a command trial's program wrote to `stream` in `attempt` (0: the
  // current or last one), from `offset` (store::TrialLogs::Read). The trial's status is
  // read before the log, so once `finished` is seen, `slice.end` is all there will be.
  // NOT_FOUND for an unknown sweep, trial or attempt; FAILED_PRECONDITION for a sweep
  // of the built-in trainer or a server that runs no command trials.
  struct Log {
    int32_t attempt = 0;
    bool finished = false;  // the attempt is over
    TrialStatus status = TrialStatus::kPending;
    store::TrialLogs::Slice slice;
  };
  absl::StatusOr<Log> TrialLog(const std::string& sweep, int64_t index, int32_t attempt, OutputChunk::Stream stream,
                               uint64_t offset, std::size_t max_bytes);
  // Workers heard from within one lease (Scheduler::Workers).
  std::vector<WorkerInfo> Workers() { return scheduler_.Workers(); }
  // The optimization history (scheduler/history.h) with at most `max_points` points.
  absl::StatusOr<History> SweepHistory(const std::string& sweep, std::size_t max_points);
  // How much each searched parameter mattered (PED-ANOVA over the completed trials),
  // computed again only when the number of completed trials has changed.
  struct SweepImportance {
    int64_t completed = 0;  // the trials it rests on
    std::vector<search::ParamImportance> importances;
    // Too few trials to tell (search::kImportanceMinimumTrials): what users see is withheld.
    bool withheld() const { return completed < search::kImportanceMinimumTrials; }
  };
  absl::StatusOr<SweepImportance> Importance(const std::string& sweep);
  // How many times Importance has computed rather than answered from its cache.
  int64_t importance_computed() const {
    std::lock_guard lock(importance_mu_);
    return importance_computed_;
  }
  // A sweep's events as they happen (Scheduler::StartWatch; the listener only
  // queues); StopWatch(id) when done.
  absl::StatusOr<Scheduler::Watch> StartWatch(const std::string& sweep, Scheduler::Listener listener) {
    return scheduler_.StartWatch(sweep, std::move(listener));
  }
  void StopWatch(uint64_t id) { scheduler_.StopWatch(id); }
  int64_t now_ms() const { return scheduler_.now_ms(); }
  // The k best COMPLETED trials, best first.
  absl::StatusOr<std::vector<store::TrialRecord>> Best(const std::string& sweep, int32_t k);
  // A multi-objective sweep's COMPLETED trials ranked into fronts
  // (search/pareto_ranking.h), in `best` order: by rank, then the first objective. A
  // trial without a value for every objective is left out. One objective: empty
  // `objectives` and no trials.
  struct Front {
    std::vector<search::ResolvedObjective> objectives;
    std::vector<store::TrialRecord> trials;
    std::vector<std::vector<double>> values;  // per trial, per objective
    std::vector<int> ranks;                   // per trial
    search::ParetoRanking ranking;            // front size, reference point, hypervolume
    // Each trial's position in `trials` by its index.
    std::map<int64_t, std::size_t> position;
  };
  // Computed again only when the number of completed trials has changed (completed
  // trials stay completed), as Importance is.
  absl::StatusOr<std::shared_ptr<const Front>> ParetoFront(const std::string& sweep);

 private:
  Scheduler& scheduler_;
  store::Store& store_;
  const store::TrialLogs* const logs_;

  struct CachedImportance {
    int64_t completed = 0;
    std::vector<search::ParamImportance> importance;
  };
  static constexpr std::size_t kImportanceCached = 32;  // sweeps (the oldest id goes first)
  mutable std::mutex importance_mu_;
  std::map<int64_t, CachedImportance> importance_;  // by sweep rowid
  int64_t importance_computed_ = 0;
  struct CachedFront {
    int64_t completed = 0;
    std::shared_ptr<const Front> front;
  };
  static constexpr std::size_t kFrontsCached = 8;  // sweeps (the oldest id goes first)
  std::mutex fronts_mu_;
  std::map<int64_t, CachedFront> fronts_;  // by sweep rowid
};

}  // namespace hpsearch::scheduler
