// WriteTxn: every state change the store records, one statement or a few each.
#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/util/rng.h"
#include "server/store/columns.h"
#include "server/store/store.h"

namespace hpsearch::store {

int64_t WriteTxn::InsertSweep(const std::string& name, const std::string& spec, int64_t total, bool maximize,
                              int64_t now_ms, const std::string& request_id) {
  conn_.Run(
      "INSERT INTO sweeps (id, name, spec, status, total_trials, maximize, created_ms, n_pending, request_id) "
      "VALUES ((SELECT last + 1 FROM sweep_ids), ?, ?, ?, ?, ?, ?, ?, ?)",
      name, Blob{spec}, SweepStatus::kRunning, total, maximize, now_ms, total, request_id);
  return conn_.db().getLastInsertRowid();
}

void WriteTxn::MarkStopping(int64_t sweep, SweepStatus heading, const std::string& reason) {
  conn_.Run("UPDATE sweeps SET status = ?, status_reason = ?, ending_status = ? WHERE id = ?", SweepStatus::kStopping,
            reason, heading, sweep);
}

void WriteTxn::FinishSweep(int64_t sweep, SweepStatus status, const std::string& reason, int64_t total,
                           int64_t unstarted, int64_t now_ms) {
  // ?1 sweep; the counters come from trial_counts, which this transaction keeps.
  static_assert(static_cast<int>(TrialStatus::kPending) == 1 && static_cast<int>(TrialStatus::kRunning) == 2 &&
                static_cast<int>(TrialStatus::kCompleted) == 3 && static_cast<int>(TrialStatus::kFailed) == 4 &&
                static_cast<int>(TrialStatus::kPruned) == 5 && static_cast<int>(TrialStatus::kCancelled) == 6);
  conn_.Run(
      "UPDATE sweeps SET status = ?2, status_reason = ?3, finished_ms = ?4, total_trials = ?5, ending_status = 0, "
      "n_pending = COALESCE((SELECT n FROM trial_counts WHERE sweep_id = ?1 AND status = 1), 0), "
      "n_running = COALESCE((SELECT n FROM trial_counts WHERE sweep_id = ?1 AND status = 2), 0), "
      "n_completed = COALESCE((SELECT n FROM trial_counts WHERE sweep_id = ?1 AND status = 3), 0), "
      "n_failed = COALESCE((SELECT n FROM trial_counts WHERE sweep_id = ?1 AND status = 4), 0), "
      "n_pruned = COALESCE((SELECT n FROM trial_counts WHERE sweep_id = ?1 AND status = 5), 0), "
      "n_cancelled = COALESCE((SELECT n FROM trial_counts WHERE sweep_id = ?1 AND status = 6), 0), "
      "n_not_started = ?6 WHERE id = ?1",
      sweep, status, reason, now_ms, total, unstarted);
}

void WriteTxn::ReopenSweep(int64_t sweep, const std::string& spec, int64_t total, int64_t now_ms) {
  conn_.Run(
      "UPDATE sweeps SET spec = ?, total_trials = ?, status = ?, status_reason = '', ending_status = 0, "
      "idle_ms = idle_ms + CASE WHEN finished_ms > 0 THEN MAX(0, ? - finished_ms) ELSE 0 END, "
      "finished_ms = 0, n_pending = 0, n_running = 0, n_completed = 0, n_failed = 0, n_pruned = 0, "
      "n_cancelled = 0, n_not_started = 0 WHERE id = ?",
      Blob{spec}, total, SweepStatus::kRunning, now_ms, sweep);
}

int64_t WriteTxn::RetryTrials(int64_t sweep, TrialStatus from, bool new_seed) {
  if (new_seed) {
    // A new seed per trial, derived from its old one and the attempt it is for: the
    // same retry of the same sweep gives the same seeds.
    std::vector<std::pair<int64_t, uint64_t>> seeds;
    auto& q = conn_.Query("SELECT id, seed, attempt FROM trials WHERE sweep_id = ? AND status = ?", sweep, from);
    while (q.executeStep()) {
      const auto seed = static_cast<uint64_t>(q.getColumn(1).getInt64());
      seeds.emplace_back(q.getColumn(0).getInt64(), DeriveSeed(seed, static_cast<uint64_t>(q.getColumn(2).getInt64())));
    }
    q.reset();
    for (const auto& [id, seed] : seeds) conn_.Run("UPDATE trials SET seed = ? WHERE id = ?", seed, id);
  }
  // The metrics a failed trial kept leave the sort index with it.
  conn_.Run(
      "DELETE FROM trial_metrics WHERE (sweep_id, name, value, idx) IN "
      "(SELECT t.sweep_id, j.key, j.value, t.idx FROM trials t, json_each(t.metrics) j "
      "WHERE t.sweep_id = ? AND t.status = ?)",
      sweep, from);
  // A trial cancelled before it ever ran keeps its attempt number: it has no record to follow.
  conn_.Run(
      "UPDATE trials SET status = ?1, "
      "attempt = attempt + EXISTS (SELECT 1 FROM trial_attempts a WHERE a.trial_id = trials.id "
      "AND a.attempt = trials.attempt), "
      "lost = 0, worker = '', lease_expires_ms = 0, objective = NULL, rank = NULL, metrics = '{}', "
      "failure_reason = '', finished_ms = 0 WHERE sweep_id = ?2 AND status = ?3",
      TrialStatus::kPending, sweep, from);
  return conn_.db().getChanges();
}

void WriteTxn::DeleteSweep(int64_t sweep) {
  conn_.Run("DELETE FROM trial_epochs WHERE trial_id IN (SELECT id FROM trials WHERE sweep_id = ?)", sweep);
  conn_.Run("DELETE FROM trial_attempts WHERE trial_id IN (SELECT id FROM trials WHERE sweep_id = ?)", sweep);
  conn_.Run("DELETE FROM trial_metrics WHERE sweep_id = ?", sweep);
  conn_.Run("DELETE FROM trials WHERE sweep_id = ?", sweep);
  conn_.Run("DELETE FROM trial_counts WHERE sweep_id = ?", sweep);
  conn_.Run("DELETE FROM sweeps WHERE id = ?", sweep);
}

int64_t WriteTxn::InsertTrial(int64_t sweep, int64_t index, const Params& params, uint64_t seed, int64_t now_ms,
                              bool enqueued) {
  conn_.Run(
      "INSERT INTO trials (sweep_id, idx, params, seed, status, attempt, created_ms, enqueued) "
      "VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
      sweep, index, ParamsText(params), seed, TrialStatus::kPending, now_ms, enqueued ? 1 : 0);
  const int64_t id = conn_.db().getLastInsertRowid();
  if (enqueued) conn_.Run("UPDATE sweeps SET total_trials = total_trials + 1 WHERE id = ?", sweep);
  return id;
}

void WriteTxn::StartAttempt(int64_t trial_id, int32_t attempt, const std::string& worker, int64_t expires_ms,
                            int64_t now_ms, const std::string& request_id, const std::string& lease_id) {
  conn_.Run("UPDATE trials SET status = ?, attempt = ?, worker = ?, lease_expires_ms = ?, started_ms = ? WHERE id = ?",
            TrialStatus::kRunning, attempt, worker, expires_ms, now_ms, trial_id);
  conn_.Run(
      "INSERT OR REPLACE INTO trial_attempts (trial_id, attempt, worker, started_ms, request_id, lease_id, seed) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT seed FROM trials WHERE id = ?1))",
      trial_id, attempt, worker, now_ms, request_id, lease_id);
  if (attempt > 1) {
    conn_.Run("DELETE FROM trial_epochs WHERE trial_id = ?", trial_id);
    // The earlier attempt's final metrics, if it left any (by their exact keys).
    conn_.Run(
        "DELETE FROM trial_metrics WHERE (sweep_id, name, value, idx) IN "
        "(SELECT t.sweep_id, j.key, j.value, t.idx FROM trials t, json_each(t.metrics) j WHERE t.id = ?)",
        trial_id);
  }
}

void WriteTxn::InsertEpoch(int64_t trial_id, const EpochMetrics& epoch, const ActivationStats* stats) {
  RequireFinite(epoch.lr, "lr");
  conn_.Run(
      "INSERT OR REPLACE INTO trial_epochs (trial_id, epoch, metrics, lr, seconds, act_mean, act_std) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      trial_id, epoch.epoch, MetricsText(epoch.metrics), epoch.lr, std::isfinite(epoch.seconds) ? epoch.seconds : 0.0,
      stats ? DoublesText(stats->mean) : std::string("[]"), stats ? DoublesText(stats->std) : std::string("[]"));
}

void WriteTxn::SetParameterCount(int64_t trial_id, int64_t parameter_count) {
  conn_.Run("UPDATE trials SET parameter_count = ? WHERE id = ?", parameter_count, trial_id);
}

namespace {

void CloseAttempt(Connection& conn, int64_t trial_id, int32_t attempt, const std::string& outcome, int64_t now_ms) {
  conn.Run("UPDATE trial_attempts SET finished_ms = ?, outcome = ? WHERE trial_id = ? AND attempt = ?", now_ms, outcome,
           trial_id, attempt);
}

// One trial_metrics row per final metric, from the trial's metrics JSON (one
// statement for all), so trials sort by any metric.
void IndexMetrics(Connection& conn, int64_t trial_id) {
  conn.Run(
      "INSERT OR IGNORE INTO trial_metrics (sweep_id, name, value, idx) "
      "SELECT t.sweep_id, j.key, j.value, t.idx FROM trials t, json_each(t.metrics) j WHERE t.id = ?",
      trial_id);
}

// A trial that ends without final metrics of its own (cancelled, failed) keeps its
// last reported epoch's as its metrics, as a pruned one does: `where` selects the
// trials (`t` is trials), `arg` its one parameter. Indexed for sorting by them.
void KeepLastEpoch(Connection& conn, const char* where, int64_t arg) {
  const std::string last =
      "(SELECT e.metrics FROM trial_epochs e WHERE e.trial_id = t.id ORDER BY e.epoch DESC LIMIT 1)";
  conn.Run(absl::StrCat("UPDATE trials AS t SET metrics = ", last, " WHERE ", where,
                        " AND t.metrics = '{}' AND EXISTS (SELECT 1 FROM trial_epochs e WHERE e.trial_id = t.id)"),
           arg);
  if (conn.db().getChanges() == 0) return;
  conn.Run(absl::StrCat("INSERT OR IGNORE INTO trial_metrics (sweep_id, name, value, idx) "
                        "SELECT t.sweep_id, j.key, j.value, t.idx FROM trials t, json_each(t.metrics) j WHERE ",
                        where),
           arg);
}

// Every trial of `sweep` in `from` → CANCELLED with `reason`.
void CancelTrials(Connection& conn, int64_t sweep, TrialStatus from, const std::string& reason, int64_t now_ms) {
  conn.Run(
      "UPDATE trials SET status = ?, failure_reason = ?, finished_ms = ?, lease_expires_ms = 0 "
      "WHERE sweep_id = ? AND status = ?",
      TrialStatus::kCancelled, reason, now_ms, sweep, from);
}

}  // namespace

void WriteTxn::CompleteTrial(int64_t trial_id, int32_t attempt, double objective, bool maximize,
                             const std::map<std::string, double>& metrics,
                             const std::vector<ActivationStats>& diagnostics, int64_t parameter_count, int64_t now_ms) {
  RequireFinite(objective, "objective");
  conn_.Run(
      "UPDATE trials SET status = ?, objective = ?, rank = ?, metrics = ?, diagnostics = ?, parameter_count = ?, "
      "finished_ms = ?, lease_expires_ms = 0 WHERE id = ?",
      TrialStatus::kCompleted, objective, maximize ? -objective : objective, MetricsText(metrics),
      DiagnosticsText(diagnostics), parameter_count, now_ms, trial_id);
  IndexMetrics(conn_, trial_id);
  CloseAttempt(conn_, trial_id, attempt, "completed", now_ms);
}

void WriteTxn::PruneTrial(int64_t trial_id, int32_t attempt, const std::string& reason,
                          const std::map<std::string, double>& metrics, int64_t now_ms) {
  conn_.Run(
      "UPDATE trials SET status = ?, failure_reason = ?, metrics = ?, finished_ms = ?, lease_expires_ms = 0 "
      "WHERE id = ?",
      TrialStatus::kPruned, reason, MetricsText(metrics), now_ms, trial_id);
  IndexMetrics(conn_, trial_id);
  CloseAttempt(conn_, trial_id, attempt, absl::StrCat("pruned: ", reason), now_ms);
}

void WriteTxn::KeepMetrics(int64_t trial_id, const std::map<std::string, double>& metrics) {
  conn_.Run("UPDATE trials SET metrics = ? WHERE id = ?", MetricsText(metrics), trial_id);
  IndexMetrics(conn_, trial_id);
}

void WriteTxn::EndTrial(int64_t trial_id, int32_t attempt, TrialStatus status, const std::string& reason,
                        int64_t now_ms, const std::string& outcome_override) {
  if (status != TrialStatus::kPruned) KeepLastEpoch(conn_, "t.id = ?", trial_id);
  conn_.Run("UPDATE trials SET status = ?, failure_reason = ?, finished_ms = ?, lease_expires_ms = 0 WHERE id = ?",
            status, reason, now_ms, trial_id);
  if (attempt > 0) {
    const std::string outcome = !outcome_override.empty()        ? outcome_override
                                : status == TrialStatus::kFailed ? absl::StrCat("failed: ", reason)
                                : status == TrialStatus::kPruned ? absl::StrCat("pruned: ", reason)
                                                                 : absl::StrCat("cancelled: ", reason);
    CloseAttempt(conn_, trial_id, attempt, outcome, now_ms);
  }
}

void WriteTxn::RequeueTrial(int64_t trial_id, int32_t attempt, int32_t lost, const std::string& outcome,
                            int64_t now_ms) {
  conn_.Run("UPDATE trials SET status = ?, attempt = ?, lost = ?, worker = '', lease_expires_ms = 0 WHERE id = ?",
            TrialStatus::kPending, attempt + 1, lost, trial_id);
  CloseAttempt(conn_, trial_id, attempt, outcome, now_ms);
}

void WriteTxn::CancelPendingTrials(int64_t sweep, const std::string& reason, int64_t now_ms) {
  CancelTrials(conn_, sweep, TrialStatus::kPending, reason, now_ms);
}

void WriteTxn::CancelRunningTrials(int64_t sweep, const std::string& reason, int64_t now_ms) {
  conn_.Run(
      "UPDATE trial_attempts SET finished_ms = ?1, outcome = ?2 WHERE finished_ms = 0 AND (trial_id, attempt) IN "
      "(SELECT id, attempt FROM trials WHERE sweep_id = ?3 AND status = ?4)",
      now_ms, absl::StrCat("cancelled: ", reason), sweep, TrialStatus::kRunning);
  KeepLastEpoch(conn_, absl::StrCat("t.sweep_id = ? AND t.status = ", static_cast<int>(TrialStatus::kRunning)).c_str(),
                sweep);
  CancelTrials(conn_, sweep, TrialStatus::kRunning, reason, now_ms);
}

}  // namespace hpsearch::store
