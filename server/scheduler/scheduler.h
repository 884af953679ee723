// The scheduler: the one place where trials change state.
//
// PENDING → RUNNING → COMPLETED | FAILED | PRUNED | CANCELLED, and RUNNING → PENDING
// (attempt + 1) when a lease is lost or handed back. Every change is written to the
// store in one transaction before it takes effect in memory, so a crash at any
// point leaves a consistent record that Recover() resumes from.
//
// In-process slots (EmbeddedPool) and remote workers (WorkerService) call the same
// Acquire / Report / Complete / Fail operations: there is one code path.
//
// Thread-safe. Event listeners run with the scheduler's lock held and must only
// queue the event.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hpsearch/v1/sweep_service.pb.h"
#include "hpsearch/v1/worker_service.pb.h"
#include "data/dataset_loader.h"
#include "scheduler/sweep_state.h"
#include "search/spec_validator.h"
#include "store/store.h"

namespace hpsearch::scheduler {

struct SchedulerOptions {
  search::SpecLimits limits;
  int32_t max_active_sweeps = 100;  // unfinished sweeps at once (RESOURCE_EXHAUSTED beyond)
  int64_t lease_ms = 30'000;        // a lease lasts this long past the last report
  int32_t max_attempts = 3;         // lost leases before a trial is FAILED
  // Worker ids with this prefix are the server's own slots: their trials cannot
  // outlive the process, so on restart they are requeued at once.
  std::string embedded_prefix = "embedded-";
  std::function<int64_t()> clock;  // unix ms; default: the system clock
  // User CSV paths are checked at submit against this data directory: outside it,
  // not a regular file (and, with require_data_files, missing) is INVALID_ARGUMENT.
  std::optional<data::DataEnvironment> data_env;
  bool require_data_files = true;
};

// A running trial's epochs are written at most this often (and always when it ends).
inline constexpr int64_t kEpochFlushMs = 1000;

struct SweepPage {
  std::vector<hpsearch::v1::Sweep> sweeps;
  int64_t next_offset = -1;  // -1: last page
};

class Scheduler {
 public:
  Scheduler(store::Store& store, SchedulerOptions options);

  // Resumes every unfinished sweep from the store; until it has run, the scheduler
  // answers UNAVAILABLE.
  absl::Status Recover();

  // ------------------------------------------------------------------ user API
  absl::StatusOr<hpsearch::v1::Sweep> Submit(const hpsearch::v1::SweepSpec& spec);
  // graceful: running trials finish (stop); otherwise they stop within an epoch.
  absl::StatusOr<hpsearch::v1::Sweep> Cancel(const std::string& sweep, bool graceful);
  // By id or name, with live counters.
  absl::StatusOr<hpsearch::v1::Sweep> GetSweep(const std::string& sweep);
  absl::StatusOr<SweepPage> ListSweeps(int64_t offset, int32_t limit);
  // The stored sweep an id or name refers to (NOT_FOUND otherwise).
  absl::StatusOr<store::SweepRecord> Resolve(const std::string& sweep);

  // ----------------------------------------------------------- worker protocol
  // A lease on the next trial, or nullopt when there is nothing to run. Idempotent
  // per (worker_id, request_id).
  absl::StatusOr<std::optional<hpsearch::v1::Lease>> Acquire(const std::string& worker_id,
                                                             const std::string& request_id);
  absl::StatusOr<hpsearch::v1::ReportProgressResponse> Report(const hpsearch::v1::ReportProgressRequest& request);
  absl::Status Complete(const hpsearch::v1::CompleteTrialRequest& request);
  absl::Status Fail(const hpsearch::v1::FailTrialRequest& request);

  // ---------------------------------------------------------------- lifecycle
  // Expires leases and enforces max_duration. Call every few hundred ms.
  void Tick();
  // Stops handing out leases (shutdown). Running trials may still report.
  void Drain();
  // Waits until a trial may be available, or `timeout`; WakeWaiters ends every wait.
  void WaitForWork(std::chrono::milliseconds timeout);
  void WakeWaiters() { work_cv_.notify_all(); }
  // Hands every trial running on a worker whose id starts with `worker_prefix` back
  // to PENDING without counting a lost lease (graceful shutdown).
  void HandBack(const std::string& worker_prefix, const std::string& why);
  int64_t now_ms() const { return options_.clock(); }

  // -------------------------------------------------------------------- events
  using Listener = std::function<void(const hpsearch::v1::SweepEvent&)>;
  struct Watch {
    uint64_t id = 0;  // 0: the sweep has finished; nothing will follow the snapshot
    hpsearch::v1::Sweep snapshot;
  };
  // Registers `listener` for one sweep's events and returns the current snapshot
  // atomically with the registration (no event is missed or duplicated). The last
  // event of a sweep carries its final status; the listener is then dropped.
  absl::StatusOr<Watch> StartWatch(const std::string& sweep, Listener listener);
  void StopWatch(uint64_t id);

 private:
  using Lock = std::unique_lock<std::mutex>;

  hpsearch::v1::Sweep SweepProto(const SweepState& s, bool with_spec) const;
  void Overlay(hpsearch::v1::Sweep* stored) const;  // live counters over a stored row
  SweepState* Active(int64_t rowid);
  absl::StatusOr<std::pair<SweepState*, RunningTrial*>> Held(const hpsearch::v1::LeaseKey& key);
  absl::Status StaleLease(const hpsearch::v1::LeaseKey& key, const std::string& what);
  hpsearch::v1::Lease MakeLease(const SweepState& s, int64_t index, const RunningTrial& r) const;

  // Each of these writes the store, then updates memory; errors leave memory as it was.
  absl::Status FailTrial(SweepState& s, int64_t index, const std::string& reason);
  absl::Status LoseLease(SweepState& s, int64_t index, const std::string& outcome, bool counts);
  absl::Status EndSweep(SweepState& s, hpsearch::v1::SweepStatus status, const std::string& reason,
                        bool stop_running);
  void MaybeFinish(SweepState& s);
  absl::Status ResumeSweep(const store::SweepRecord& rec, store::ReadTxn& read);

  void EmitTrial(const SweepState& s, int64_t index, hpsearch::v1::TrialStatus status,
                 const RunningTrial* r, const std::string& reason,
                 const std::map<std::string, double>* metrics);
  void Emit(const SweepState& s, hpsearch::v1::SweepEvent event);
  bool Watched(int64_t rowid) const { return watchers_by_sweep_.count(rowid) > 0; }

  store::Store& store_;
  SchedulerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  bool recovered_ = false;
  bool draining_ = false;
  int64_t serve_seq_ = 0;
  std::map<int64_t, std::unique_ptr<SweepState>> active_;  // by sweep rowid
  struct LastRequest {
    std::string request_id;
    hpsearch::v1::LeaseKey key;
  };
  std::map<std::string, LastRequest> last_request_;  // by worker id
  struct Watcher {
    int64_t sweep = 0;
    Listener listener;
  };
  uint64_t next_watch_ = 1;
  std::map<uint64_t, Watcher> watchers_;
  std::multimap<int64_t, uint64_t> watchers_by_sweep_;
};

// Trials of a sweep's spec: the trial seed is derived from the sweep seed and index.
uint64_t TrialSeed(const hpsearch::v1::SweepSpec& spec, int64_t index);

}  // namespace hpsearch::scheduler
