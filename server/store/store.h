// The SQLite store: sweeps, trials, their per-epoch curves and attempt history.
//
// One writer connection, serialised by a mutex: every Write is one
// `BEGIN IMMEDIATE … COMMIT` transaction, rolled back when the body fails. Reads run
// on a pool of read-only connections in WAL mode, each in its own read transaction
// (a consistent snapshot), so they never block the writer and the writer never
// blocks them. A `:memory:` database has a single connection shared by both.
//
// Numbers: every stored metric is finite. The scheduler fails a trial that reports
// NaN or ±inf (docs/architecture.md, "Non-finite metrics") before it reaches here,
// and the store refuses a non-finite value as a last line of defence.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/store/connection.h"
#include "server/store/ids.h"
#include "server/store/records.h"

namespace hpsearch::store {

struct StoreOptions {
  std::string path = "hpsearch.db";  // or ":memory:"
  // FULL: fsync at every commit (survives power loss). NORMAL (default): survives a
  // crash or kill -9 of the process; a power cut may lose the last commits.
  bool sync_full = false;
  int readers = 4;
  int busy_timeout_ms = 5000;
  // Hold an exclusive lock (`<path>.lock`, flock) for the store's lifetime, so a
  // second server on the same file refuses to start instead of fighting the first.
  bool exclusive = false;
  // Run SQLite's quick_check when opening a file and refuse a damaged one
  // (FAILED_PRECONDITION naming the file and the first problems) instead of serving
  // from it and writing more into it.
  bool verify_pages = false;
  // Fault injection for tests: called before every COMMIT; an error rolls the
  // transaction back and is what Write returns (as a crash or a full disk would).
  std::function<absl::Status()> before_commit;
};

// One condition on the trials a listing returns (TrialQuery::where).
struct TrialCondition {
  enum class Field { kParameter, kMetric, kObjective };  // kMetric: a final metric
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  Field field = Field::kParameter;
  std::string name;  // the parameter or metric ([A-Za-z0-9_.]+); unused for kObjective
  Op op = Op::kEq;
  // kEq: any of them; kNe: none of them; the order operators: exactly one number.
  // A number matches a number (true/false are 1/0), a string the same text (a list
  // parameter is its compact JSON, "[256,128]"). A trial without the field matches
  // no condition on it.
  std::vector<std::variant<double, std::string>> values;
};

// Bounds on a listing's conditions (INVALID_ARGUMENT beyond): each adds terms and
// bound values to the statement, and SQLite has limits of its own on both.
inline constexpr std::size_t kMaxTrialConditions = 32;
inline constexpr std::size_t kMaxConditionValues = 256;  // values in one = / != list

// Which of a sweep's trials to list, in what order, one page at a time. Pages are
// keyset-paginated: `cursor` is the `next_cursor` of the previous page (empty for
// the first), so every page costs an index walk of its own rows, however deep it
// is, and trials added between pages neither repeat nor vanish.
struct TrialQuery {
  std::optional<TrialStatus> status;  // none: any
  std::vector<TrialCondition> where;  // every one holds
  // "index" (default), "objective" (best first; trials without one follow by index),
  // a final metric name ([A-Za-z0-9_.]+; trials without it follow by index), or with
  // `by_parameter` a parameter's name (numbers by value before strings and lists by
  // their JSON text; trials without it follow by index).
  std::string sort_by = "index";
  bool by_parameter = false;
  bool descending = false;
  std::string cursor;
  int32_t limit = 100;
};

// One page of a sweep's trials.
struct TrialPage {
  std::vector<TrialRecord> trials;
  int64_t total = 0;        // trials matching the filter
  std::string next_cursor;  // empty on the last page
};

// A trial with its objective per epoch: what adaptive search and pruning learn from.
struct TrialHistory {
  TrialRecord trial;                              // without details
  std::vector<std::pair<int64_t, double>> curve;  // (epoch, value), by epoch
};

// A finished trial's objective: what the optimization history plots.
struct FinishedValue {
  int64_t index = 0;
  int64_t finished_ms = 0;
  bool pruned = false;  // else completed, or failed
  bool failed = false;
  double value = 0;    // the objective; a pruned or failed trial's last reported value
  std::string params;  // the trial's parameters as stored (JSON; columns.h reads it)
};

// Queries (reads.cc, trial_query.cc). Valid only inside Store::Read or Store::Write.
class ReadTxn {
 public:
  explicit ReadTxn(Connection& conn) : conn_(conn) {}

  // By public id ("s-000001") or by name (the newest sweep of that name).
  std::optional<SweepRecord> FindSweep(const std::string& id_or_name);
  std::optional<SweepRecord> SweepById(int64_t rowid);
  // Distinct sweep names, most recently used first (for a did-you-mean).
  std::vector<std::string> RecentSweepNames(int32_t limit);
  // The sweep a SubmitSweep request id made, if any.
  std::optional<SweepRecord> SweepByRequest(const std::string& request_id);
  // Newest first.
  std::vector<SweepRecord> ListSweeps(int64_t offset, int32_t limit);
  int64_t CountSweeps();
  // Sweeps by status (statuses without sweeps are absent).
  std::map<SweepStatus, int64_t> CountSweepsByStatus();
  // Sweeps that are RUNNING or STOPPING, oldest first.
  std::vector<SweepRecord> UnfinishedSweeps();

  // Best COMPLETED trials (objective order, ties by index), best first.
  std::vector<TrialRecord> BestTrials(int64_t sweep, int32_t k);
  // INVALID_ARGUMENT for a sort key that is neither a keyword nor a metric name, or
  // a cursor this query did not make.
  absl::StatusOr<TrialPage> ListTrials(int64_t sweep, const TrialQuery& q);
  // The names of the final metrics the sweep's trials keep (those a listing can sort
  // and filter by: trial_metrics), distinct, by name, at most `limit` of them. A seek
  // per name, however many trials report it.
  std::vector<std::string> MetricNames(int64_t sweep, int32_t limit);
  // With its per-epoch curve, diagnostics and attempt history.
  std::optional<TrialRecord> GetTrial(int64_t sweep, int64_t index);
  std::vector<AttemptRecord> Attempts(int64_t trial_id);

  // The PENDING and RUNNING trials, by index (with lost and request_id).
  std::vector<TrialRecord> OpenTrials(int64_t sweep);
  int64_t TrialsCreated(int64_t sweep);  // = the next trial index
  // Trials an ask gave the values of (enqueued), not drawn by the sweep's strategy.
  int64_t EnqueuedTrials(int64_t sweep);
  // Every trial of the sweep by index, with `metric` ([A-Za-z0-9_]+) per epoch.
  std::vector<TrialHistory> History(int64_t sweep, const std::string& metric);
  TrialCounts CountByStatus(int64_t sweep);
  // COMPLETED trials with their objective and PRUNED ones with `metric`
  // ([A-Za-z0-9_]+) as last reported, in finish order (ties by index).
  std::vector<FinishedValue> FinishedValues(int64_t sweep, const std::string& metric);
  // Every COMPLETED trial's parameters and objective, by index.
  std::vector<std::pair<Params, double>> CompletedParams(int64_t sweep);

  // For whole-database queries that belong to no one method (integrity.cc).
  Connection& connection() { return conn_; }

 protected:
  Connection& conn_;
};

// Writes (transitions.cc), plus every query (reads see the transaction's own writes).
class WriteTxn : public ReadTxn {
 public:
  using ReadTxn::ReadTxn;

  // `spec`: the encoded spec (opaque).
  int64_t InsertSweep(const std::string& name, const std::string& spec, int64_t total, bool maximize, int64_t now_ms,
                      const std::string& request_id = "");
  // SWEEP_STOPPING, heading for `heading` once its running trials end.
  void MarkStopping(int64_t sweep, SweepStatus heading, const std::string& reason);
  // Final: status, reason, total, and counters taken from the trial rows in this
  // very transaction, and `unstarted` never-started trials as n_not_started (apart
  // from the cancelled ones: they have no rows).
  void FinishSweep(int64_t sweep, SweepStatus status, const std::string& reason, int64_t total, int64_t unstarted,
                   int64_t now_ms);

  // The sweep runs (again) with `spec` and `total`: a finished one is RUNNING with its
  // end forgotten (extend, retry); a running one just gets the new budget.
  // `now_ms`: the time it sat finished until now is added to its idle_ms.
  void ReopenSweep(int64_t sweep, const std::string& spec, int64_t total, int64_t now_ms);
  // Every trial of the sweep in status `from` → PENDING as a new attempt (no lost
  // leases, its result and kept metrics cleared; earlier attempts stay in its
  // history). Returns how many.
  int64_t RetryTrials(int64_t sweep, TrialStatus from, bool new_seed = false);
  // The sweep with its trials, curves and attempts. Its id is never used again.
  void DeleteSweep(int64_t sweep);

  // A new PENDING trial at attempt 1; returns its row id.
  // `enqueued`: an ask gave its values; it is one trial more than the sweep planned
  // (its total_trials grows by one).
  int64_t InsertTrial(int64_t sweep, int64_t index, const Params& params, uint64_t seed, int64_t now_ms,
                      bool enqueued = false);
  // RUNNING under `attempt` for `worker` (leased by its `request_id`, the lease's
  // random id `lease_id`); starts its attempt record and a fresh curve.
  void StartAttempt(int64_t trial_id, int32_t attempt, const std::string& worker, int64_t expires_ms, int64_t now_ms,
                    const std::string& request_id = "", const std::string& lease_id = "");
  void InsertEpoch(int64_t trial_id, const EpochMetrics& epoch, const ActivationStats* stats);
  // The trial's network size as its running attempt reports it.
  void SetParameterCount(int64_t trial_id, int64_t parameter_count);
  void CompleteTrial(int64_t trial_id, int32_t attempt, double objective, bool maximize,
                     const std::map<std::string, double>& metrics, const std::vector<ActivationStats>& diagnostics,
                     int64_t parameter_count, int64_t now_ms);
  // PRUNED, keeping the curve and the last epoch's `metrics` (sortable like final ones).
  void PruneTrial(int64_t trial_id, int32_t attempt, const std::string& reason,
                  const std::map<std::string, double>& metrics, int64_t now_ms);
  // The final metrics a trial reported although it failed (sortable like a completed
  // trial's); before EndTrial.
  void KeepMetrics(int64_t trial_id, const std::map<std::string, double>& metrics);
  // FAILED, PRUNED or CANCELLED. attempt > 0 also closes that attempt's record, with
  // `outcome` or, when empty, one derived from the status and reason.
  void EndTrial(int64_t trial_id, int32_t attempt, TrialStatus status, const std::string& reason, int64_t now_ms,
                const std::string& outcome = "");
  // Back to PENDING: closes `attempt` with `outcome`, next run is attempt + 1.
  void RequeueTrial(int64_t trial_id, int32_t attempt, int32_t lost, const std::string& outcome, int64_t now_ms);
  // Every PENDING trial of the sweep → CANCELLED.
  void CancelPendingTrials(int64_t sweep, const std::string& reason, int64_t now_ms);
  // Every RUNNING trial of the sweep → CANCELLED, its attempt closed with `reason`.
  void CancelRunningTrials(int64_t sweep, const std::string& reason, int64_t now_ms);
};

class Store {
 public:
  // Opens (creating if needed) and migrates. Errors name the path.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();

  // Runs `body` in one BEGIN IMMEDIATE transaction; commits when it returns OK,
  // rolls back when it returns an error or throws. SQLite errors that pass (disk
  // full, I/O errors, busy, out of memory) come back UNAVAILABLE, naming the cause;
  // the rest (constraints, corruption, misuse) INTERNAL.
  absl::Status Write(const std::function<absl::Status(WriteTxn&)>& body);
  // Runs `body` in a read transaction on a reader connection.
  absl::Status Read(const std::function<absl::Status(ReadTxn&)>& body);

  const std::string& path() const { return options_.path; }
  int schema_version();

 private:
  explicit Store(StoreOptions options) : options_(std::move(options)) {}
  bool in_memory() const { return options_.path == ":memory:"; }
  // WAL checkpoints (the only fsyncs in synchronous=NORMAL) run on this thread's own
  // connection, off the writer's path, about once a second.
  void CheckpointLoop();
  // Opens a new connection in place of `conn` (see Connection::EndTransaction).
  void ReplaceConnection(std::unique_ptr<Connection>& conn, bool read_only);

  StoreOptions options_;
  int lock_fd_ = -1;
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;
  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool closing_ = false;
  std::thread checkpointer_;
};

}  // namespace hpsearch::store
