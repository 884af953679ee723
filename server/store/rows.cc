#include "server/store/rows.h"

#include "server/store/columns.h"
#include "server/store/ids.h"

namespace hpsearch::store {

const char* const kSweepColumns =
    "id, name, spec, status, status_reason, total_trials, maximize, created_ms, finished_ms, "
    "n_pending, n_running, n_completed, n_failed, n_pruned, n_cancelled, request_id, ending_status, n_not_started, "
    "idle_ms";

SweepRecord SweepFromRow(SQLite::Statement& q) {
  SweepRecord r;
  r.rowid = q.getColumn(0).getInt64();
  r.id = SweepPublicId(r.rowid);
  r.name = q.getColumn(1).getString();
  const SQLite::Column spec = q.getColumn(2);
  r.spec.assign(static_cast<const char*>(spec.getBlob()), static_cast<size_t>(spec.getBytes()));
  r.status = static_cast<SweepStatus>(q.getColumn(3).getInt());
  r.status_reason = q.getColumn(4).getString();
  r.total_trials = q.getColumn(5).getInt64();
  r.maximize = q.getColumn(6).getInt() != 0;
  r.created_ms = q.getColumn(7).getInt64();
  r.finished_ms = q.getColumn(8).getInt64();
  r.counts.pending = q.getColumn(9).getInt64();
  r.counts.running = q.getColumn(10).getInt64();
  r.counts.completed = q.getColumn(11).getInt64();
  r.counts.failed = q.getColumn(12).getInt64();
  r.counts.pruned = q.getColumn(13).getInt64();
  r.counts.cancelled = q.getColumn(14).getInt64();
  r.request_id = q.getColumn(15).getString();
  r.ending_status = static_cast<SweepStatus>(q.getColumn(16).getInt());
  r.not_started = q.getColumn(17).getInt64();
  r.idle_ms = q.getColumn(18).getInt64();
  return r;
}

const char* const kTrialColumns =
    "t.idx, t.params, t.seed, t.status, t.attempt, t.worker, t.objective, t.metrics, "
    "t.failure_reason, t.created_ms, t.started_ms, t.finished_ms, t.parameter_count, "
    "t.diagnostics, t.id, t.lost, (SELECT MAX(e.epoch) FROM trial_epochs e WHERE e.trial_id = t.id)";

TrialRecord TrialFromRow(SQLite::Statement& q, const std::string& sweep_id, bool details) {
  TrialRecord t;
  t.sweep_id = sweep_id;
  t.index = q.getColumn(0).getInt64();
  t.params = ParamsFromText(q.getColumn(1).getString());
  t.seed = static_cast<uint64_t>(q.getColumn(2).getInt64());
  t.status = static_cast<TrialStatus>(q.getColumn(3).getInt());
  t.attempt = q.getColumn(4).getInt();
  t.worker = q.getColumn(5).getString();
  if (!q.getColumn(6).isNull()) t.objective = q.getColumn(6).getDouble();
  t.metrics = MetricsFromText(q.getColumn(7).getString());
  t.failure_reason = q.getColumn(8).getString();
  t.created_ms = q.getColumn(9).getInt64();
  t.started_ms = q.getColumn(10).getInt64();
  t.finished_ms = q.getColumn(11).getInt64();
  t.parameter_count = q.getColumn(12).getInt64();
  if (details) t.diagnostics = DiagnosticsFromText(q.getColumn(13).getString());
  t.trial_id = q.getColumn(14).getInt64();
  t.lost = q.getColumn(15).getInt();
  if (!q.getColumn(16).isNull()) t.epochs_run = q.getColumn(16).getInt();
  return t;
}

}  // namespace hpsearch::store
