#include "server/store/integrity.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace hpsearch::store {

namespace {

// Each query returns one row per violation: a sweep rowid, a trial index (or -1) and
// a description.
struct Rule {
  const char* what;
  const char* sql;
};

constexpr Rule kRules[] = {
    {"trial_counts differs from the trial rows",
     "SELECT c.sweep_id, -1, 'status ' || c.status || ': counted ' || c.n || ', rows ' || "
     "(SELECT COUNT(*) FROM trials t WHERE t.sweep_id = c.sweep_id AND t.status = c.status) "
     "FROM trial_counts c WHERE c.n != (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = c.sweep_id "
     "AND t.status = c.status) "
     "UNION ALL SELECT t.sweep_id, -1, 'status ' || t.status || ' has rows but no count' FROM trials t "
     "GROUP BY t.sweep_id, t.status HAVING NOT EXISTS (SELECT 1 FROM trial_counts c "
     "WHERE c.sweep_id = t.sweep_id AND c.status = t.status)"},
    {"a finished sweep has a pending or running trial",
     "SELECT t.sweep_id, t.idx, 'trial status ' || t.status FROM trials t JOIN sweeps s ON s.id = t.sweep_id "
     "WHERE s.status IN (3, 4, 5) AND t.status IN (1, 2)"},
    {"a finished sweep's counters differ from its rows",
     "SELECT s.id, -1, 'completed ' || s.n_completed || '/' || "
     "(SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.status = 3) || ', failed ' || s.n_failed || '/' || "
     "(SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.status = 4) || ', pruned ' || s.n_pruned || '/' || "
     "(SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.status = 5) || ', cancelled ' || s.n_cancelled || "
     "'/' || (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.status = 6) || ', not started ' || "
     "s.n_not_started || '/' || (s.total_trials - (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id)) || "
     "', pending ' || s.n_pending || ', running ' || "
     "s.n_running FROM sweeps s WHERE s.status IN (3, 4, 5) AND ("
     "s.n_completed != (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.status = 3) OR "
     "s.n_failed != (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.status = 4) OR "
     "s.n_pruned != (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.status = 5) OR "
     "s.n_cancelled != (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.status = 6) OR "
     "s.n_not_started != s.total_trials - (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id) OR "
     "s.n_pending != 0 OR s.n_running != 0 OR s.finished_ms = 0)"},
    {"a finished sweep has trials beyond its total",
     "SELECT s.id, MAX(t.idx), 'total_trials ' || s.total_trials FROM sweeps s JOIN trials t ON t.sweep_id = s.id "
     "WHERE s.status IN (3, 4, 5) GROUP BY s.id HAVING MAX(t.idx) >= s.total_trials"},
    {"a sweep has an unknown status",
     "SELECT id, -1, 'status ' || status FROM sweeps WHERE status NOT IN (1, 2, 3, 4, 5)"},
    {"a trial has an unknown status or attempt",
     "SELECT sweep_id, idx, 'status ' || status || ', attempt ' || attempt FROM trials "
     "WHERE status NOT IN (1, 2, 3, 4, 5, 6) OR attempt < 1"},
    {"a finished trial has no finish time",
     "SELECT sweep_id, idx, 'status ' || status FROM trials WHERE status IN (3, 4, 5, 6) AND finished_ms = 0"},
    {"objective and rank disagree with the status",
     "SELECT sweep_id, idx, 'status ' || status || ', objective ' || IFNULL(objective, 'null') || ', rank ' || "
     "IFNULL(rank, 'null') FROM trials WHERE (status = 3) != (objective IS NOT NULL) OR "
     "(status = 3) != (rank IS NOT NULL)"},
    {"a completion is recorded twice",
     "SELECT t.sweep_id, t.idx, COUNT(*) || ' completed attempts' FROM trial_attempts a JOIN trials t "
     "ON t.id = a.trial_id WHERE a.outcome = 'completed' GROUP BY a.trial_id HAVING COUNT(*) > 1"},
    {"a COMPLETED trial's last attempt is not its completion",
     "SELECT t.sweep_id, t.idx, 'attempt ' || t.attempt FROM trials t WHERE t.status = 3 AND NOT EXISTS "
     "(SELECT 1 FROM trial_attempts a WHERE a.trial_id = t.id AND a.attempt = t.attempt AND a.outcome = 'completed')"},
    {"an attempt is open on a trial that is not running",
     "SELECT t.sweep_id, t.idx, 'status ' || t.status || ', open attempt ' || a.attempt FROM trial_attempts a "
     "JOIN trials t ON t.id = a.trial_id WHERE a.finished_ms = 0 AND (t.status != 2 OR a.attempt != t.attempt)"},
    {"a running trial has no open attempt",
     "SELECT t.sweep_id, t.idx, 'attempt ' || t.attempt FROM trials t WHERE t.status = 2 AND NOT EXISTS "
     "(SELECT 1 FROM trial_attempts a WHERE a.trial_id = t.id AND a.attempt = t.attempt AND a.finished_ms = 0)"},
    {"a metric row has no trial",
     "SELECT m.sweep_id, m.idx, m.name FROM trial_metrics m WHERE NOT EXISTS "
     "(SELECT 1 FROM trials t WHERE t.sweep_id = m.sweep_id AND t.idx = m.idx)"},
};

}  // namespace

std::vector<std::string> CheckIntegrity(ReadTxn& read, size_t limit) {
  std::vector<std::string> found;
  for (const Rule& rule : kRules) {
    auto& q = read.connection().Prepare(rule.sql);
    while (found.size() < limit && q.executeStep()) {
      const int64_t sweep = q.getColumn(0).getInt64();
      const int64_t trial = q.getColumn(1).getInt64();
      found.push_back(absl::StrCat(rule.what, ": sweep ", SweepPublicId(sweep),
                                   trial >= 0 ? absl::StrCat(" trial ", trial) : "", ": ", q.getColumn(2).getString()));
    }
  }
  return found;
}

std::vector<std::string> CheckPages(Connection& conn, bool quick, size_t limit) {
  std::vector<std::string> found;
  const std::string pragma =
      absl::StrCat(quick ? "PRAGMA quick_check(" : "PRAGMA integrity_check(", std::max<size_t>(limit, 1), ")");
  const char* name = quick ? "quick_check" : "integrity_check";
  try {
    SQLite::Statement q(conn.db(), pragma);
    while (q.executeStep() && found.size() < limit) {
      std::string line = q.getColumn(0).getString();
      if (line != "ok") found.push_back(absl::StrCat("sqlite ", name, ": ", line));
    }
  } catch (const std::exception& e) {
    found.push_back(absl::StrCat("sqlite ", name, ": the file cannot be read: ", e.what()));
  }
  return found;
}

}  // namespace hpsearch::store
