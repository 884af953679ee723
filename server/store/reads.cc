// ReadTxn: the store's queries (ListTrials is in trial_query.cc).
#include "absl/strings/str_cat.h"
#include "server/store/columns.h"
#include "server/store/rows.h"
#include "server/store/store.h"

namespace hpsearch::store {

int64_t& TrialCounts::of(TrialStatus s) {
  switch (s) {
    case TrialStatus::kPending:
      return pending;
    case TrialStatus::kRunning:
      return running;
    case TrialStatus::kCompleted:
      return completed;
    case TrialStatus::kFailed:
      return failed;
    case TrialStatus::kPruned:
      return pruned;
    case TrialStatus::kCancelled:
      return cancelled;
  }
  return cancelled;
}

namespace {

std::optional<SweepRecord> OneSweep(SQLite::Statement& q) {
  if (!q.executeStep()) return std::nullopt;
  return SweepFromRow(q);
}

std::vector<SweepRecord> Sweeps(SQLite::Statement& q) {
  std::vector<SweepRecord> out;
  while (q.executeStep()) out.push_back(SweepFromRow(q));
  return out;
}

}  // namespace

std::optional<SweepRecord> ReadTxn::SweepById(int64_t rowid) {
  return OneSweep(conn_.Query(absl::StrCat("SELECT ", kSweepColumns, " FROM sweeps WHERE id = ?"), rowid));
}

std::optional<SweepRecord> ReadTxn::SweepByRequest(const std::string& request_id) {
  if (request_id.empty()) return std::nullopt;
  return OneSweep(conn_.Query(absl::StrCat("SELECT ", kSweepColumns, " FROM sweeps WHERE request_id = ?"), request_id));
}

std::optional<SweepRecord> ReadTxn::FindSweep(const std::string& id_or_name) {
  if (auto id = ParseSweepId(id_or_name)) {
    if (auto r = SweepById(*id)) return r;
  }
  return OneSweep(conn_.Query(
      absl::StrCat("SELECT ", kSweepColumns, " FROM sweeps WHERE name = ? ORDER BY id DESC LIMIT 1"), id_or_name));
}

std::vector<std::string> ReadTxn::RecentSweepNames(int32_t limit) {
  auto& q = conn_.Query("SELECT name FROM sweeps WHERE name != '' GROUP BY name ORDER BY MAX(id) DESC LIMIT ?", limit);
  std::vector<std::string> names;
  while (q.executeStep()) names.push_back(q.getColumn(0).getString());
  return names;
}

std::vector<SweepRecord> ReadTxn::ListSweeps(int64_t offset, int32_t limit) {
  return Sweeps(conn_.Query(absl::StrCat("SELECT ", kSweepColumns, " FROM sweeps ORDER BY id DESC LIMIT ? OFFSET ?"),
                            limit, offset));
}

int64_t ReadTxn::CountSweeps() {
  auto& q = conn_.Query("SELECT COUNT(*) FROM sweeps");
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::map<SweepStatus, int64_t> ReadTxn::CountSweepsByStatus() {
  std::map<SweepStatus, int64_t> out;
  auto& q = conn_.Query("SELECT status, COUNT(*) FROM sweeps GROUP BY status");  // sweeps_by_status
  while (q.executeStep()) out[static_cast<SweepStatus>(q.getColumn(0).getInt())] = q.getColumn(1).getInt64();
  return out;
}

std::vector<SweepRecord> ReadTxn::UnfinishedSweeps() {
  return Sweeps(conn_.Query(absl::StrCat("SELECT ", kSweepColumns, " FROM sweeps WHERE status IN (?, ?) ORDER BY id"),
                            SweepStatus::kRunning, SweepStatus::kStopping));
}

std::vector<TrialRecord> ReadTxn::BestTrials(int64_t sweep, int32_t k) {
  auto& q = conn_.Query(absl::StrCat("SELECT ", kTrialColumns,
                                     " FROM trials t WHERE t.sweep_id = ? AND t.rank IS NOT NULL "
                                     "ORDER BY t.rank, t.idx LIMIT ?"),
                        sweep, k);
  std::vector<TrialRecord> out;
  const std::string id = SweepPublicId(sweep);
  while (q.executeStep()) out.push_back(TrialFromRow(q, id, false));
  return out;
}

// `SELECT DISTINCT name` would read every row of the sweep (a row per trial and
// metric: millions for a large sweep); stepping from one name to the next smallest
// after it is one seek of trial_metrics' key (sweep_id, name, ...) per name.
std::vector<std::string> ReadTxn::MetricNames(int64_t sweep, int32_t limit) {
  if (limit <= 0) return {};
  auto& q = conn_.Query(
      "WITH RECURSIVE names(name, n) AS ("
      "SELECT (SELECT MIN(name) FROM trial_metrics WHERE sweep_id = ?1), 1 "
      "UNION ALL "
      "SELECT (SELECT MIN(m.name) FROM trial_metrics m WHERE m.sweep_id = ?1 AND m.name > names.name), n + 1 "
      "FROM names WHERE names.name IS NOT NULL AND n < ?2) "
      "SELECT name FROM names WHERE name IS NOT NULL",
      sweep, limit);
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

std::vector<AttemptRecord> ReadTxn::Attempts(int64_t trial_id) {
  auto& q = conn_.Query(
      "SELECT attempt, worker, started_ms, finished_ms, outcome, lease_id, seed FROM trial_attempts WHERE trial_id = ? "
      "ORDER BY attempt",
      trial_id);
  std::vector<AttemptRecord> out;
  while (q.executeStep()) {
    out.push_back(AttemptRecord{q.getColumn(0).getInt(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
                                q.getColumn(3).getInt64(), q.getColumn(4).getString(), q.getColumn(5).getString(),
                                static_cast<uint64_t>(q.getColumn(6).getInt64())});
  }
  return out;
}

std::optional<TrialRecord> ReadTxn::GetTrial(int64_t sweep, int64_t index) {
  auto& q = conn_.Query(absl::StrCat("SELECT ", kTrialColumns, " FROM trials t WHERE t.sweep_id = ? AND t.idx = ?"),
                        sweep, index);
  if (!q.executeStep()) return std::nullopt;
  TrialRecord t = TrialFromRow(q, SweepPublicId(sweep), true);
  auto& e = conn_.Query(
      "SELECT epoch, metrics, lr, seconds, act_mean, act_std FROM trial_epochs WHERE trial_id = ? ORDER BY epoch",
      t.trial_id);
  while (e.executeStep()) {
    EpochMetrics m;
    m.epoch = e.getColumn(0).getInt();
    m.metrics = MetricsFromText(e.getColumn(1).getString());
    m.lr = e.getColumn(2).getDouble();
    m.seconds = e.getColumn(3).getDouble();
    const std::string mean = e.getColumn(4).getString();
    if (mean != "[]") {
      t.diagnostics.push_back(
          ActivationStats{m.epoch, DoublesFromText(mean), DoublesFromText(e.getColumn(5).getString())});
    }
    t.epochs.push_back(std::move(m));
  }
  t.attempts = Attempts(t.trial_id);
  return t;
}

std::vector<TrialRecord> ReadTxn::OpenTrials(int64_t sweep) {
  auto& q = conn_.Query(absl::StrCat("SELECT ", kTrialColumns,
                                     ", COALESCE(a.request_id, ''), COALESCE(a.lease_id, '') "
                                     "FROM trials t LEFT JOIN trial_attempts a ON "
                                     "a.trial_id = t.id AND a.attempt = t.attempt AND t.status = ?1 "
                                     "WHERE t.sweep_id = ?2 AND t.status IN (?3, ?1) ORDER BY t.idx"),
                        TrialStatus::kRunning, sweep, TrialStatus::kPending);
  std::vector<TrialRecord> out;
  const std::string id = SweepPublicId(sweep);
  while (q.executeStep()) {
    TrialRecord t = TrialFromRow(q, id, false);
    t.request_id = q.getColumn(kTrialColumnCount).getString();
    t.lease_id = q.getColumn(kTrialColumnCount + 1).getString();
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<TrialHistory> ReadTxn::History(int64_t sweep, const std::string& metric) {
  std::vector<TrialHistory> out;
  const std::string id = SweepPublicId(sweep);
  {
    auto& q = conn_.Query(absl::StrCat("SELECT ", kTrialColumns, " FROM trials t WHERE t.sweep_id = ? ORDER BY t.idx"),
                          sweep);
    while (q.executeStep()) out.push_back(TrialHistory{TrialFromRow(q, id, false), {}});
  }
  auto& q = conn_.Query(
      "SELECT t.idx, e.epoch, json_extract(e.metrics, ?2) AS v FROM trial_epochs e JOIN trials t ON t.id = e.trial_id "
      "WHERE t.sweep_id = ?1 AND v IS NOT NULL ORDER BY t.idx, e.epoch",
      sweep, KeyPath(metric));
  std::size_t at = 0;
  while (q.executeStep()) {
    const int64_t index = q.getColumn(0).getInt64();
    while (at < out.size() && out[at].trial.index < index) ++at;
    if (at == out.size() || out[at].trial.index != index) continue;
    out[at].curve.emplace_back(q.getColumn(1).getInt64(), q.getColumn(2).getDouble());
  }
  return out;
}

std::vector<FinishedValue> ReadTxn::FinishedValues(int64_t sweep, const std::string& metric) {
  static_assert(static_cast<int>(TrialStatus::kCompleted) == 3 && static_cast<int>(TrialStatus::kFailed) == 4 &&
                static_cast<int>(TrialStatus::kPruned) == 5);
  auto& q = conn_.Query(
      "SELECT idx, finished_ms, status, CASE WHEN status = 3 THEN objective ELSE json_extract(metrics, ?2) END AS v, "
      "params FROM trials WHERE sweep_id = ?1 AND status IN (3, 4, 5) AND v IS NOT NULL ORDER BY finished_ms, idx",
      sweep, KeyPath(metric));
  std::vector<FinishedValue> out;
  while (q.executeStep()) {
    const int status = q.getColumn(2).getInt();
    out.push_back(FinishedValue{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), status == 5, status == 4,
                                q.getColumn(3).getDouble(), q.getColumn(4).getString()});
  }
  return out;
}

std::vector<std::pair<Params, double>> ReadTxn::CompletedParams(int64_t sweep) {
  auto& q = conn_.Query("SELECT params, objective FROM trials WHERE sweep_id = ? AND status = ? ORDER BY idx", sweep,
                        TrialStatus::kCompleted);
  std::vector<std::pair<Params, double>> out;
  while (q.executeStep()) out.emplace_back(ParamsFromText(q.getColumn(0).getString()), q.getColumn(1).getDouble());
  return out;
}

int64_t ReadTxn::TrialsCreated(int64_t sweep) {
  auto& q = conn_.Query("SELECT COALESCE(MAX(idx) + 1, 0) FROM trials WHERE sweep_id = ?", sweep);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

int64_t ReadTxn::EnqueuedTrials(int64_t sweep) {
  auto& q = conn_.Query("SELECT COUNT(*) FROM trials WHERE sweep_id = ? AND enqueued = 1", sweep);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

TrialCounts ReadTxn::CountByStatus(int64_t sweep) {
  auto& q = conn_.Query("SELECT status, n FROM trial_counts WHERE sweep_id = ?", sweep);
  TrialCounts c;
  while (q.executeStep()) {
    const int s = q.getColumn(0).getInt();
    if (s >= static_cast<int>(TrialStatus::kPending) && s <= static_cast<int>(TrialStatus::kCancelled)) {
      c.of(static_cast<TrialStatus>(s)) = q.getColumn(1).getInt64();
    }
  }
  return c;
}

}  // namespace hpsearch::store
