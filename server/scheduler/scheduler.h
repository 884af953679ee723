// The scheduler: the one place where trials change state.
//
// PENDING → RUNNING → COMPLETED | FAILED | PRUNED | CANCELLED, and RUNNING → PENDING
// (attempt + 1) when a lease is lost or handed back.
//
// One event, one transaction: everything an event does — to the trial, to the
// sweep's budget, to the other trials it stops, and the sweep's end when it is the
// last thing left — is written to the store in a single transaction before any of it
// takes effect in memory. A failed write leaves memory exactly as it was (the event
// can be retried); a crash at any point leaves a record that Recover() resumes into
// the state the sweep was heading for (docs/architecture.md, "Invariants").
//
// In-process slots (SchedulerSource) and remote workers (WorkerService) call the same
// Acquire / Report / Complete / Fail operations: there is one code path. Plain C++
// throughout: the service converts to and from the wire.
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
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/protocol/epoch_report.h"
#include "common/protocol/lease.h"
#include "common/protocol/trial_result.h"
#include "common/protocol/trial_source.h"
#include "common/protocol/worker_id.h"
#include "search/spec_validator.h"
#include "server/metrics/server_metrics.h"
#include "server/scheduler/event_hub.h"
#include "server/scheduler/fair_share.h"
#include "server/scheduler/sweep_state.h"
#include "server/store/store.h"

namespace hpsearch::scheduler {

// What a worker call gets (UNAVAILABLE) while the server recovers its sweeps.
inline constexpr char kStarting[] = "the server is starting (recovering sweeps); retry";

struct SchedulerOptions {
  search::SpecLimits limits;
  int32_t max_active_sweeps = 100;  // unfinished sweeps at once (RESOURCE_EXHAUSTED beyond)
  int64_t lease_ms = 30'000;        // a lease lasts this long past the last report
  int32_t max_attempts = 3;         // lost leases before a trial is FAILED
  // Worker ids with this prefix are the server's own slots: their trials cannot
  // outlive the process, so on restart they are requeued at once.
  std::string embedded_prefix = kEmbeddedWorkerPrefix;
  // Unix ms, for timestamps users see. Default: the system clock.
  std::function<int64_t()> clock;
  // Milliseconds on a clock that never steps, for leases and max_duration.
  // Default: std::chrono::steady_clock.
  std::function<int64_t()> monotonic_clock;
  // Turns a stored (encoded) spec back into a Spec, to resume a sweep after a
  // restart. Required by Recover() when unfinished sweeps exist.
  std::function<absl::StatusOr<search::Spec>(const std::string& encoded)> decode_spec;
  // Checks a submitted spec's dataset where the data lives (a CSV path inside the
  // data directory, its file read with the loader's code) and returns it as trials
  // will load it (a csv's inferred task filled in); its error is the submission's
  // INVALID_ARGUMENT. None: no check (the server's composition supplies one).
  std::function<absl::StatusOr<vocabulary::DatasetOptions>(const vocabulary::DatasetOptions&)> check_dataset;
  // Encodes a spec the way decode_spec reads it back; used to store a spec that
  // check_dataset completed. None: the submitted encoding is stored as it came.
  std::function<std::string(const search::Spec&)> encode_spec;
  // Fed as things happen (trial ends, epoch reports, lost leases, commit times); must
  // outlive the scheduler. None: not measured.
  metrics::ServerMetrics* metrics = nullptr;
  // Command sweeps (trainer.command) are accepted only when set: the server was
  // started with --commands (INVALID_ARGUMENT naming the flag otherwise).
  bool accepts_commands = false;
  // Checks a command sweep's program at submission (can this server's slots find
  // it?). None: not checked (a server whose trials all run on remote workers).
  std::function<absl::Status(const CommandSpec& command)> check_program;
  // Called with a command trial's output from the report of the lease's holder
  // (without the scheduler's lock): where the server keeps it. None: dropped.
  std::function<void(const LeaseKey& key, const std::vector<OutputChunk>& output)> on_output;
  // Called after a sweep's rows are deleted (with its id): what else of it to remove.
  std::function<void(const std::string& sweep_id)> on_deleted;
  // Builds a sweep's strategy (at submission, restart, extend and retry). Default:
  // search::MakeStrategy; tests wrap it.
  std::function<absl::StatusOr<std::unique_ptr<search::Strategy>>(const search::Spec&)> make_strategy;
};

// A running trial's epochs are written at most this often (and always when it ends).
inline constexpr int64_t kEpochFlushMs = 1000;
// Longest worker id or request id accepted (bytes).
inline constexpr size_t kMaxIdBytes = 256;

struct SweepPage {
  std::vector<store::SweepRecord> sweeps;
  int64_t next_offset = -1;  // -1: last page
};

// A worker as the scheduler has heard from it within one lease: the embedded slots
// ("embedded"), or a remote hpsearch-worker (its slot ids share the part before the
// last '/': "gpu-host/0", "gpu-host/1" are worker "gpu-host").
struct WorkerInfo {
  std::string name;
  bool embedded = false;
  std::vector<std::string> slots;  // slot ids heard from, sorted
  int64_t last_seen_ms = 0;        // unix ms of its latest call
  std::vector<LeaseKey> running;   // the trials its slots hold now
};

class Scheduler {
 public:
  Scheduler(store::Store& store, SchedulerOptions options);

  // Resumes every unfinished sweep from the store; until it has run, the worker and
  // submit calls answer UNAVAILABLE.
  absl::Status Recover();

  // ------------------------------------------------------------------ user API
  // `encoded`: the spec as it is to be stored and shown back (re-encoded when the
  // dataset check completes it: a csv's inferred task). `request_id`
  // (optional) makes a retry idempotent: a second Submit with the same id returns
  // the sweep the first made (ALREADY_EXISTS if the encoded spec differs).
  absl::StatusOr<store::SweepRecord> Submit(const search::Spec& spec, const std::string& encoded,
                                            const std::string& request_id = "");
  // graceful: running trials finish (stop); otherwise they stop within an epoch.
  // FAILED_PRECONDITION (naming the final status) once the sweep has finished.
  absl::StatusOr<store::SweepRecord> Cancel(const std::string& sweep, bool graceful);
  // More budget for a running or finished sweep (reopen.cc): `trials` more trials
  // than it plans now, and/or `seconds` more time — past a running sweep's
  // max_duration, or from now for a finished one. Its search goes on from what it has
  // learnt (a finished one is rebuilt from its stored history, as after a restart),
  // and a finished sweep's never-started trials run too. FAILED_PRECONDITION (saying
  // why) when nothing can be added: a whole grid, a stopping sweep, a time limit used
  // up without `seconds`, `seconds` for a running sweep without a time limit.
  struct Extension {
    int64_t trials = 0;
    double seconds = 0;
  };
  absl::StatusOr<store::SweepRecord> Extend(const std::string& sweep, const Extension& more);
  // Requeues the sweep's FAILED and/or CANCELLED trials as new attempts (same
  // configuration and seed); a finished sweep runs again for them, and then also runs
  // the trials it never started (`cancelled` alone reopens it for those: they were
  // cut off like the cancelled ones). With nothing to run the sweep is untouched.
  struct Retried {
    store::SweepRecord sweep;
    int64_t requeued = 0;  // trials requeued
    int64_t resumed = 0;   // never-started trials of a finished sweep that now run
  };
  absl::StatusOr<Retried> Retry(const std::string& sweep, bool failed, bool cancelled, bool new_seed = false);
  // Deletes a finished sweep with everything of it (FAILED_PRECONDITION while it
  // runs); returns it as it was. Its id is never given out again.
  absl::StatusOr<store::SweepRecord> Delete(const std::string& sweep);
  // By id or name, with live counters.
  absl::StatusOr<store::SweepRecord> GetSweep(const std::string& sweep);
  absl::StatusOr<SweepPage> ListSweeps(int64_t offset, int32_t limit);
  // The stored sweep an id or name refers to (NOT_FOUND otherwise). Its counters and
  // status may be stale for a running sweep: use GetSweep for live ones.
  absl::StatusOr<store::SweepRecord> Resolve(const std::string& sweep);
  // A stored spec read back (SchedulerOptions::decode_spec).
  absl::StatusOr<search::Spec> DecodeSpec(const std::string& encoded) const;
  // A spec's strategy (SchedulerOptions::make_strategy).
  absl::StatusOr<std::unique_ptr<search::Strategy>> MakeStrategy(const search::Spec& spec) const;

  // ----------------------------------------------------------- worker protocol
  // A lease on the next trial, or nullopt when there is nothing to run. Idempotent
  // per (worker_id, request_id), across restarts too.
  absl::StatusOr<std::optional<Lease>> Acquire(const std::string& worker_id, const std::string& request_id,
                                               const WorkerCapacity& capacity = WorkerCapacity::Any());
  // Ask and tell: a lease on the next trial of a `trainer: external` sweep (id or
  // name) for a client to run itself; it then reports through Report / Complete /
  // Fail as a worker does. FAILED_PRECONDITION for a sweep of another trainer.
  // Idempotent per (client_id, request_id).
  struct Asked {
    std::optional<Lease> lease;
    // No lease: `finished`: no trial will come (the sweep has ended); otherwise ask
    // again, `handed_out` when every trial of the budget is out (one comes back only
    // from a lost lease), else max_concurrent trials are out.
    bool finished = false;
    bool handed_out = false;
    store::SweepRecord sweep;  // live counters after the ask
  };
  // `enqueue` (Optuna's enqueue_trial): a trial with these searched parameters'
  // values (search/enqueued.h; the rest drawn), one more than the sweep planned, given
  // whatever max_concurrent says; INVALID_ARGUMENT naming a bad value, FAILED_PRECONDITION
  // for a sweep that is not running.
  absl::StatusOr<Asked> Ask(const std::string& sweep, const std::string& client_id, const std::string& request_id,
                            const Params* enqueue = nullptr);
  absl::StatusOr<ReportReply> Report(const EpochReport& report);
  // UNAVAILABLE when the result could not be written yet: the lease is kept alive and
  // the worker should retry the same call (a retry of a recorded one is OK).
  absl::Status Complete(const TrialResult& result);
  absl::Status Fail(const TrialFailure& failure);

  // ---------------------------------------------------------------- lifecycle
  // Expires leases, enforces max_duration and finishes sweeps with nothing left to
  // run whose end could not be written before. Call every few hundred ms.
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

  // What runs and waits now, over every running sweep (for /metrics).
  struct Load {
    int64_t running = 0;
    int64_t pending = 0;
  };
  Load CurrentLoad();

  // ------------------------------------------------------------------ workers.cc
  // Every worker that called in (acquire, report, complete, fail) within one lease,
  // by name.
  std::vector<WorkerInfo> Workers();
  // A worker slot shutting down: it leaves Workers() now (its trials were handed back).
  absl::Status Leave(const std::string& worker_id);

  // -------------------------------------------------------------------- events
  using Listener = EventHub::Listener;
  struct Watch {
    uint64_t id = 0;  // 0: the sweep has finished; nothing will follow the snapshot
    store::SweepRecord snapshot;
  };
  // Registers `listener` for one sweep's events and returns the current snapshot
  // atomically with the registration (no event is missed or duplicated). The last
  // event of a sweep carries its final status; the listener is then dropped. For a
  // sweep that has already finished, id is 0 and the snapshot is its final record.
  absl::StatusOr<Watch> StartWatch(const std::string& sweep, Listener listener);
  void StopWatch(uint64_t id);

 private:
  using Lock = std::unique_lock<std::mutex>;
  // How a sweep winds down.
  struct Ending {
    SweepStatus status{};  // the status it finishes with
    std::string reason;
    bool stop_running = false;  // running trials are cancelled now (else they may finish)
  };
  // What one event does to its sweep beyond its own trial (sweep_ending.cc).
  struct Effects {
    bool begin = false;      // the sweep starts ending with `ending`
    bool overrides = false;  // an ending sweep (stopping) now ends with `ending` instead (a cancel after a stop)
    Ending ending;
    bool cancel_pending = false;  // queued trials → CANCELLED (never-created ones stay not_started)
    std::vector<int64_t> stop;    // other running trials cancelled now
    bool finish = false;          // nothing runs any more: the sweep ends in this transaction
    SweepStatus final_status{};
    std::string final_reason;
  };
  // The fail points around one kind of transaction.
  struct Commit {
    std::string_view before, after;
  };

  // ------------------------------------------------------------ scheduler.cc
  int64_t mono_ms() const { return options_.monotonic_clock(); }
  // The submitted spec and its encoding with the dataset as check_dataset returned
  // it (re-validated and re-encoded when that filled something in).
  absl::StatusOr<std::pair<search::Spec, std::string>> CompleteDataset(const search::Spec& spec,
                                                                       const std::string& encoded) const;
  SweepState* Active(int64_t rowid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The live record of an active sweep (its spec only `with_spec`).
  store::SweepRecord LiveRecord(const SweepState& s, bool with_spec) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The sweep as users see it now: live for an active sweep, else its final record,
  // read after taking the lock so a sweep that just finished is never shown running.
  absl::StatusOr<store::SweepRecord> Current(const store::SweepRecord& rec, Lock& lock);
  absl::StatusOr<store::SweepRecord> Reread(int64_t rowid);
  void AddBest(store::ReadTxn& r, store::SweepRecord* rec);

  // -------------------------------------------------------- sweep_ending.cc
  // `leaving`: the trial this event takes out of `running` (-1: none); `requeued`:
  // it goes back to the queue; `done_after`: the sweep's counts once it has left;
  // `failure`: its failure reason, if it failed.
  Effects EffectsOf(const SweepState& s, int64_t leaving, bool requeued, const Ending* ending,
                    const store::TrialCounts& done_after, const std::string& failure) const;
  // Writes the effects (inside the event's transaction) / applies them after the commit.
  void WriteEffects(store::WriteTxn& w, const SweepState& s, const Effects& p, int64_t now) const;
  // Returns true when the sweep finished: `s` is then gone.
  bool ApplyEffects(SweepState& s, const Effects& p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Each of these is one event and one transaction; an error leaves memory as it was.
  // `reported`: final metrics the failed trial sent, kept with it (the finite ones).
  absl::Status FailTrial(SweepState& s, int64_t index, const std::string& reason,
                         const std::map<std::string, double>* reported = nullptr) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // PRUNED at epoch `last` (its objective `value`), with that epoch's metrics kept.
  absl::Status PruneTrial(SweepState& s, int64_t index, const std::string& reason, const EpochMetrics& last,
                          double value) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `points`: the fail points of its transaction (recovery has its own).
  absl::Status LoseLease(SweepState& s, int64_t index, const std::string& outcome, bool counts,
                         const Commit* points = nullptr) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status EndSweep(SweepState& s, const Ending& ending, const Commit& points) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status FinishIfDone(SweepState& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs `body` in one store transaction between the fail points of `points`, and
  // logs when the store starts and stops failing.
  absl::Status Write(const Commit& points, const std::function<void(store::WriteTxn&)>& body)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static const Commit kRecoverPoints;

  // -------------------------------------------------------------- reopen.cc
  // Runs `change` (with the running trials' unwritten epochs) in one transaction, then
  // rebuilds the sweep's working copy from the store, keeping its leases' expiry.
  // `rec`: the sweep as stored; `spec`: its spec as it is to run.
  absl::Status Reopen(const store::SweepRecord& rec, const std::function<void(store::WriteTxn&)>& change,
                      const Commit& points) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // FAILED_PRECONDITION for a sweep that cannot take a change now (starting, draining,
  // stopping); `verb` names the command in the message.
  absl::Status Reopenable(const store::SweepRecord& rec, const std::string& verb) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // ------------------------------------------------- hand_out.cc, leases.cc
  absl::StatusOr<std::pair<SweepState*, RunningTrial*>> Held(const LeaseKey& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status StaleLease(const LeaseKey& key, const std::string& what);
  Lease MakeLease(const SweepState& s, const RunningTrial& r) const;
  absl::StatusOr<std::optional<Lease>> LeaseNext(const std::string& worker_id, const std::string& request_id,
                                                 const WorkerCapacity& capacity, Lock& lock)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The next configuration of sweep `rowid` into `out` (nullopt: its strategy has no
  // more). A strategy that offers it (TPE) computes with the lock released: its model
  // costs tens of ms at 10,000 trials, and every call of every sweep needs the lock.
  // One suggestion per sweep at a time; others wait for it. kRetry: the sweep changed
  // meanwhile (ended, rebuilt by extend or retry, the server draining): pick again.
  enum class Drawn { kDrawn, kRetry };
  // The sweep as FairShare sees it now.
  ShareCandidate Candidate(const SweepState& s) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The sweep a worker of `capacity` is served from next (nullopt: none now; then
  // `drawing` says whether one is drawing its next trial and may have one soon).
  std::optional<int64_t> PickSweep(const WorkerCapacity& capacity, bool* drawing) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Leases `trial` (a queued one, or a fresh configuration with no row yet) to
  // `worker_id` in one transaction; on an error a fresh configuration is parked in the
  // queue, so the strategy's sequence loses nothing.
  // How the trial LeaseTrial leases came to be.
  enum class Origin { kDrawn, kQueued, kEnqueued };
  absl::StatusOr<Lease> LeaseTrial(SweepState& s, store::TrialRecord trial, Origin origin, const std::string& worker_id,
                                   const std::string& request_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ask with `enqueue`: a lease on a new trial of those values.
  absl::StatusOr<Asked> AskEnqueued(int64_t rowid, const std::string& client_id, const std::string& request_id,
                                    const Params& enqueue);
  Drawn NextConfiguration(int64_t rowid, Lock& lock, std::optional<Params>* out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The stored trial a key names (nullopt: none); unlocks `lock` to read.
  absl::StatusOr<std::optional<store::TrialRecord>> StoredTrial(const LeaseKey& key, Lock& lock);
  // Report() under the lock; `holder` is set when the report came from the lease's
  // holder and passed the checks, or from the attempt the trial was stopped under.
  absl::StatusOr<ReportReply> ReportHeld(const EpochReport& report, bool* holder);
  absl::StatusOr<ReportReply> StoppedReply(const LeaseKey& key, Lock& lock);
  // For a Complete or Fail whose attempt holds no lease: OK when it is a retry of one
  // already recorded (the reply was lost), else FAILED_PRECONDITION.
  absl::Status AlreadyRecorded(const LeaseKey& key, Lock& lock, const std::string& what,
                               const std::function<bool(const store::TrialRecord&)>& recorded);
  // Keeps an epoch report; an error (the write failed) means it was not acknowledged.
  absl::Status BufferEpoch(SweepState& s, RunningTrial& r, const EpochReport& report)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t ExpiresWall(const RunningTrial& r) const;

  // Asks the sweep's pruner about a buffered epoch report; a prune is written at once.
  // Returns the reason when the trial was pruned.
  std::optional<std::string> MaybePrune(SweepState& s, RunningTrial& r, const EpochMetrics& e)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // ------------------------------------------------------------- recover.cc
  // Hands a resumed sweep's stored history to its strategy and pruner.
  void RestoreSearch(SweepState& s, store::ReadTxn& read);
  absl::Status ResumeSweep(const store::SweepRecord& rec, store::ReadTxn& read) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The working copy of a stored unfinished sweep, as a restart rebuilds it (running
  // trials get a fresh lease).
  absl::StatusOr<std::unique_ptr<SweepState>> LoadSweep(const store::SweepRecord& rec, store::ReadTxn& read)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AbandonSweep(const store::SweepRecord& rec, const std::string& why) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SettleSweep(int64_t rowid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // -------------------------------------------------------------- events.cc
  // `metrics`: the final (or, pruned, last) metrics; the objective comes from them.
  void EmitTrial(const SweepState& s, const store::TrialRecord& trial, TrialStatus status, const std::string& reason,
                 const std::map<std::string, double>* metrics, int64_t parameter_count = 0)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EmitEpoch(const SweepState& s, int64_t index, const EpochMetrics& metrics) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  store::Store& store_;
  SchedulerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable suggest_cv_;              // a sweep's suggestion finished (SweepState::suggesting)
  uint64_t sweep_serial_ ABSL_GUARDED_BY(mu_) = 0;  // SweepState::serial of the last one made
  bool recovered_ ABSL_GUARDED_BY(mu_) = false;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  int64_t serve_seq_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t failed_writes_ ABSL_GUARDED_BY(mu_) = 0;                              // consecutive failed transactions
  int64_t failing_since_ms_ ABSL_GUARDED_BY(mu_) = 0;                           // when they began
  std::map<int64_t, std::unique_ptr<SweepState>> active_ ABSL_GUARDED_BY(mu_);  // by sweep rowid
  struct LastRequest {
    std::string request_id;
    LeaseKey key;
  };
  std::map<std::string, LastRequest> last_request_ ABSL_GUARDED_BY(mu_);  // by worker id
  // Monotonic ms each worker slot last called in (workers.cc); entries older than a
  // lease are dropped when read, and when there are many (ids are the callers').
  std::map<std::string, int64_t> seen_ ABSL_GUARDED_BY(mu_);
  void Seen(const std::string& slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ForgetQuietWorkers() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EventHub events_ ABSL_GUARDED_BY(mu_);
};

// Writes a running trial's epochs not yet written (inside an event's transaction).
void FlushEpochs(store::WriteTxn& w, const RunningTrial& r);

}  // namespace hpsearch::scheduler
