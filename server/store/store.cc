#include "store/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "search/search_space.h"
#include "sqlite3.h"
#include "store/columns.h"
#include "store/schema.h"

namespace hpsearch::store {

namespace v1 = hpsearch::v1;
using nlohmann::json;

std::string SweepPublicId(int64_t rowid) { return absl::StrFormat("s-%06d", rowid); }

std::optional<int64_t> ParseSweepId(const std::string& text) {
  if (text.size() < 3 || text.compare(0, 2, "s-") != 0 || text.size() > 20) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 2; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}


// ---------------------------------------------------------------------------- reads

std::optional<SweepRecord> ReadTxn::SweepById(int64_t rowid) {
  auto& q = conn_.Prepare(absl::StrCat("SELECT ", kSweepColumns, " FROM sweeps WHERE id = ?"));
  q.bind(1, rowid);
  if (!q.executeStep()) return std::nullopt;
  return SweepFromRow(q);
}

std::optional<SweepRecord> ReadTxn::SweepByRequest(const std::string& request_id) {
  if (request_id.empty()) return std::nullopt;
  auto& q = conn_.Prepare(absl::StrCat("SELECT ", kSweepColumns, " FROM sweeps WHERE request_id = ?"));
  q.bind(1, request_id);
  if (!q.executeStep()) return std::nullopt;
  return SweepFromRow(q);
}

std::optional<SweepRecord> ReadTxn::FindSweep(const std::string& id_or_name) {
  if (auto id = ParseSweepId(id_or_name)) {
    if (auto r = SweepById(*id)) return r;
  }
  auto& q = conn_.Prepare(absl::StrCat("SELECT ", kSweepColumns,
                                       " FROM sweeps WHERE name = ? ORDER BY id DESC LIMIT 1"));
  q.bind(1, id_or_name);
  if (!q.executeStep()) return std::nullopt;
  return SweepFromRow(q);
}

std::vector<SweepRecord> ReadTxn::ListSweeps(int64_t offset, int32_t limit) {
  auto& q = conn_.Prepare(
      absl::StrCat("SELECT ", kSweepColumns, " FROM sweeps ORDER BY id DESC LIMIT ? OFFSET ?"));
  q.bind(1, limit);
  q.bind(2, offset);
  std::vector<SweepRecord> out;
  while (q.executeStep()) out.push_back(SweepFromRow(q));
  return out;
}

int64_t ReadTxn::CountSweeps() {
  auto& q = conn_.Prepare("SELECT COUNT(*) FROM sweeps");
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::vector<SweepRecord> ReadTxn::UnfinishedSweeps() {
  auto& q = conn_.Prepare(absl::StrCat("SELECT ", kSweepColumns,
                                       " FROM sweeps WHERE status IN (?, ?) ORDER BY id"));
  q.bind(1, static_cast<int>(v1::SWEEP_RUNNING));
  q.bind(2, static_cast<int>(v1::SWEEP_STOPPING));
  std::vector<SweepRecord> out;
  while (q.executeStep()) out.push_back(SweepFromRow(q));
  return out;
}

std::vector<v1::Trial> ReadTxn::BestTrials(int64_t sweep, int32_t k) {
  auto& q = conn_.Prepare(absl::StrCat(
      "SELECT ", kTrialColumns,
      " FROM trials t WHERE t.sweep_id = ? AND t.rank IS NOT NULL ORDER BY t.rank, t.idx LIMIT ?"));
  q.bind(1, sweep);
  q.bind(2, k);
  std::vector<v1::Trial> out;
  const std::string id = SweepPublicId(sweep);
  while (q.executeStep()) out.push_back(TrialFromRow(q, id, false));
  return out;
}

std::vector<v1::Attempt> ReadTxn::Attempts(int64_t trial_id) {
  auto& q = conn_.Prepare(
      "SELECT attempt, worker, started_ms, finished_ms, outcome FROM trial_attempts "
      "WHERE trial_id = ? ORDER BY attempt");
  q.bind(1, trial_id);
  std::vector<v1::Attempt> out;
  while (q.executeStep()) {
    v1::Attempt a;
    a.set_attempt(q.getColumn(0).getInt());
    a.set_worker(q.getColumn(1).getString());
    a.set_started_ms(q.getColumn(2).getInt64());
    a.set_finished_ms(q.getColumn(3).getInt64());
    a.set_outcome(q.getColumn(4).getString());
    out.push_back(std::move(a));
  }
  return out;
}

std::optional<v1::Trial> ReadTxn::GetTrial(int64_t sweep, int64_t index) {
  auto& q = conn_.Prepare(absl::StrCat("SELECT ", kTrialColumns,
                                       " FROM trials t WHERE t.sweep_id = ? AND t.idx = ?"));
  q.bind(1, sweep);
  q.bind(2, index);
  if (!q.executeStep()) return std::nullopt;
  v1::Trial t = TrialFromRow(q, SweepPublicId(sweep), true);
  const int64_t trial_id = q.getColumn(14).getInt64();
  auto& e = conn_.Prepare(
      "SELECT epoch, metrics, lr, seconds, act_mean, act_std FROM trial_epochs "
      "WHERE trial_id = ? ORDER BY epoch");
  e.bind(1, trial_id);
  while (e.executeStep()) {
    auto* m = t.add_epochs();
    m->set_epoch(e.getColumn(0).getInt());
    MetricsFromText(e.getColumn(1).getString(), m->mutable_metrics());
    m->set_lr(e.getColumn(2).getDouble());
    m->set_seconds(e.getColumn(3).getDouble());
    const std::string mean = e.getColumn(4).getString();
    if (mean != "[]") {
      auto* s = t.add_diagnostics();
      s->set_epoch(m->epoch());
      DoublesFromText(mean, s->mutable_mean());
      DoublesFromText(e.getColumn(5).getString(), s->mutable_std());
    }
  }
  for (auto& a : Attempts(trial_id)) *t.add_attempts() = std::move(a);
  return t;
}

std::vector<OpenTrial> ReadTxn::OpenTrials(int64_t sweep) {
  auto& q = conn_.Prepare(
      "SELECT t.id, t.idx, t.status, t.params, t.seed, t.attempt, t.lost, t.worker, t.started_ms, "
      "COALESCE(a.request_id, '') FROM trials t LEFT JOIN trial_attempts a ON a.trial_id = t.id AND "
      "a.attempt = t.attempt AND t.status = ? WHERE t.sweep_id = ? AND t.status IN (?, ?) ORDER BY t.idx");
  q.bind(1, static_cast<int>(v1::RUNNING));
  q.bind(2, sweep);
  q.bind(3, static_cast<int>(v1::PENDING));
  q.bind(4, static_cast<int>(v1::RUNNING));
  std::vector<OpenTrial> out;
  while (q.executeStep()) {
    OpenTrial t;
    t.trial_id = q.getColumn(0).getInt64();
    t.index = q.getColumn(1).getInt64();
    t.status = static_cast<v1::TrialStatus>(q.getColumn(2).getInt());
    t.params = json::parse(q.getColumn(3).getString(), nullptr, false);
    t.seed = static_cast<uint64_t>(q.getColumn(4).getInt64());
    t.attempt = q.getColumn(5).getInt();
    t.lost = q.getColumn(6).getInt();
    t.worker = q.getColumn(7).getString();
    t.started_ms = q.getColumn(8).getInt64();
    t.request_id = q.getColumn(9).getString();
    out.push_back(std::move(t));
  }
  return out;
}

int64_t ReadTxn::TrialsCreated(int64_t sweep) {
  auto& q = conn_.Prepare("SELECT COALESCE(MAX(idx) + 1, 0) FROM trials WHERE sweep_id = ?");
  q.bind(1, sweep);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

v1::TrialCounts ReadTxn::CountByStatus(int64_t sweep) {
  auto& q = conn_.Prepare("SELECT status, n FROM trial_counts WHERE sweep_id = ?");
  q.bind(1, sweep);
  v1::TrialCounts c;
  while (q.executeStep()) {
    const int64_t n = q.getColumn(1).getInt64();
    switch (q.getColumn(0).getInt()) {
      case v1::PENDING: c.set_pending(n); break;
      case v1::RUNNING: c.set_running(n); break;
      case v1::COMPLETED: c.set_completed(n); break;
      case v1::FAILED: c.set_failed(n); break;
      case v1::PRUNED: c.set_pruned(n); break;
      case v1::CANCELLED: c.set_cancelled(n); break;
      default: break;
    }
  }
  return c;
}

// --------------------------------------------------------------------------- writes

int64_t WriteTxn::InsertSweep(const v1::SweepSpec& spec, int64_t total, bool maximize,
                              int64_t now_ms, const std::string& request_id) {
  auto& q = conn_.Prepare(
      "INSERT INTO sweeps (name, spec, status, total_trials, maximize, created_ms, n_pending, request_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  const std::string bytes = spec.SerializeAsString();
  q.bind(1, spec.name());
  q.bind(2, bytes.data(), static_cast<int>(bytes.size()));
  q.bind(3, static_cast<int>(v1::SWEEP_RUNNING));
  q.bind(4, total);
  q.bind(5, maximize ? 1 : 0);
  q.bind(6, now_ms);
  q.bind(7, total);
  q.bind(8, request_id);
  q.exec();
  return conn_.db().getLastInsertRowid();
}

void WriteTxn::MarkStopping(int64_t sweep, v1::SweepStatus heading, const std::string& reason) {
  auto& q = conn_.Prepare("UPDATE sweeps SET status = ?, status_reason = ?, ending_status = ? WHERE id = ?");
  q.bind(1, static_cast<int>(v1::SWEEP_STOPPING));
  q.bind(2, reason);
  q.bind(3, static_cast<int>(heading));
  q.bind(4, sweep);
  q.exec();
}

void WriteTxn::FinishSweep(int64_t sweep, v1::SweepStatus status, const std::string& reason, int64_t total,
                           int64_t unstarted, int64_t now_ms) {
  // ?1 sweep; the counters come from trial_counts, which this transaction keeps.
  auto& q = conn_.Prepare(
      "UPDATE sweeps SET status = ?2, status_reason = ?3, finished_ms = ?4, total_trials = ?5, "
      "ending_status = 0, "
      "n_pending = COALESCE((SELECT n FROM trial_counts WHERE sweep_id = ?1 AND status = 1), 0), "
      "n_running = COALESCE((SELECT n FROM trial_counts WHERE sweep_id = ?1 AND status = 2), 0), "
      "n_completed = COALESCE((SELECT n FROM trial_counts WHERE sweep_id = ?1 AND status = 3), 0), "
      "n_failed = COALESCE((SELECT n FROM trial_counts WHERE sweep_id = ?1 AND status = 4), 0), "
      "n_pruned = COALESCE((SELECT n FROM trial_counts WHERE sweep_id = ?1 AND status = 5), 0), "
      "n_cancelled = COALESCE((SELECT n FROM trial_counts WHERE sweep_id = ?1 AND status = 6), 0) + ?6 "
      "WHERE id = ?1");
  static_assert(v1::PENDING == 1 && v1::RUNNING == 2 && v1::COMPLETED == 3 && v1::FAILED == 4 &&
                v1::PRUNED == 5 && v1::CANCELLED == 6);
  q.bind(1, sweep);
  q.bind(2, static_cast<int>(status));
  q.bind(3, reason);
  q.bind(4, now_ms);
  q.bind(5, total);
  q.bind(6, unstarted);
  q.exec();
}

int64_t WriteTxn::InsertTrial(int64_t sweep, int64_t index, const json& params, uint64_t seed,
                              int64_t now_ms) {
  auto& q = conn_.Prepare(
      "INSERT INTO trials (sweep_id, idx, params, seed, status, attempt, created_ms) "
      "VALUES (?, ?, ?, ?, ?, 1, ?)");
  q.bind(1, sweep);
  q.bind(2, index);
  q.bind(3, params.dump());
  q.bind(4, static_cast<int64_t>(seed));
  q.bind(5, static_cast<int>(v1::PENDING));
  q.bind(6, now_ms);
  q.exec();
  return conn_.db().getLastInsertRowid();
}

void WriteTxn::StartAttempt(int64_t trial_id, int32_t attempt, const std::string& worker,
                            int64_t expires_ms, int64_t now_ms, const std::string& request_id) {
  auto& t = conn_.Prepare(
      "UPDATE trials SET status = ?, attempt = ?, worker = ?, lease_expires_ms = ?, "
      "started_ms = ? WHERE id = ?");
  t.bind(1, static_cast<int>(v1::RUNNING));
  t.bind(2, attempt);
  t.bind(3, worker);
  t.bind(4, expires_ms);
  t.bind(5, now_ms);
  t.bind(6, trial_id);
  t.exec();
  auto& a = conn_.Prepare(
      "INSERT OR REPLACE INTO trial_attempts (trial_id, attempt, worker, started_ms, request_id) "
      "VALUES (?, ?, ?, ?, ?)");
  a.bind(1, trial_id);
  a.bind(2, attempt);
  a.bind(3, worker);
  a.bind(4, now_ms);
  a.bind(5, request_id);
  a.exec();
  if (attempt > 1) {
    auto& d = conn_.Prepare("DELETE FROM trial_epochs WHERE trial_id = ?");
    d.bind(1, trial_id);
    d.exec();
    // The earlier attempt's final metrics, if it left any (by their exact keys).
    auto& m = conn_.Prepare(
        "DELETE FROM trial_metrics WHERE (sweep_id, name, value, idx) IN "
        "(SELECT t.sweep_id, j.key, j.value, t.idx FROM trials t, json_each(t.metrics) j WHERE t.id = ?)");
    m.bind(1, trial_id);
    m.exec();
  }
}

void WriteTxn::InsertEpoch(int64_t trial_id, const v1::EpochMetrics& epoch,
                           const v1::ActivationStats* stats) {
  std::map<std::string, double> m(epoch.metrics().begin(), epoch.metrics().end());
  RequireFinite(epoch.lr(), "lr");
  auto& q = conn_.Prepare(
      "INSERT OR REPLACE INTO trial_epochs (trial_id, epoch, metrics, lr, seconds, act_mean, "
      "act_std) VALUES (?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, trial_id);
  q.bind(2, epoch.epoch());
  q.bind(3, MetricsText(m));
  q.bind(4, epoch.lr());
  q.bind(5, std::isfinite(epoch.seconds()) ? epoch.seconds() : 0.0);
  q.bind(6, stats ? DoublesText(stats->mean()) : std::string("[]"));
  q.bind(7, stats ? DoublesText(stats->std()) : std::string("[]"));
  q.exec();
}

namespace {

void CloseAttempt(Connection& conn, int64_t trial_id, int32_t attempt, const std::string& outcome,
                  int64_t now_ms) {
  auto& q = conn.Prepare(
      "UPDATE trial_attempts SET finished_ms = ?, outcome = ? WHERE trial_id = ? AND attempt = ?");
  q.bind(1, now_ms);
  q.bind(2, outcome);
  q.bind(3, trial_id);
  q.bind(4, attempt);
  q.exec();
}

}  // namespace

void WriteTxn::CompleteTrial(int64_t trial_id, int32_t attempt, double objective, bool maximize,
                             const std::map<std::string, double>& metrics,
                             const std::vector<v1::ActivationStats>& diagnostics,
                             int64_t parameter_count, int64_t now_ms) {
  RequireFinite(objective, "objective");
  auto& q = conn_.Prepare(
      "UPDATE trials SET status = ?, objective = ?, rank = ?, metrics = ?, diagnostics = ?, "
      "parameter_count = ?, finished_ms = ?, lease_expires_ms = 0 WHERE id = ?");
  q.bind(1, static_cast<int>(v1::COMPLETED));
  q.bind(2, objective);
  q.bind(3, maximize ? -objective : objective);
  q.bind(4, MetricsText(metrics));
  q.bind(5, DiagnosticsText(diagnostics));
  q.bind(6, parameter_count);
  q.bind(7, now_ms);
  q.bind(8, trial_id);
  q.exec();
  // One row per final metric, from the JSON just written (one statement for all).
  auto& m = conn_.Prepare(
      "INSERT OR IGNORE INTO trial_metrics (sweep_id, name, value, idx) "
      "SELECT t.sweep_id, j.key, j.value, t.idx FROM trials t, json_each(t.metrics) j WHERE t.id = ?");
  m.bind(1, trial_id);
  m.exec();
  CloseAttempt(conn_, trial_id, attempt, "completed", now_ms);
}

void WriteTxn::EndTrial(int64_t trial_id, int32_t attempt, v1::TrialStatus status,
                        const std::string& reason, int64_t now_ms, const std::string& outcome_override) {
  auto& q = conn_.Prepare(
      "UPDATE trials SET status = ?, failure_reason = ?, finished_ms = ?, lease_expires_ms = 0 "
      "WHERE id = ?");
  q.bind(1, static_cast<int>(status));
  q.bind(2, reason);
  q.bind(3, now_ms);
  q.bind(4, trial_id);
  q.exec();
  if (attempt > 0) {
    const std::string outcome = !outcome_override.empty() ? outcome_override
                                : status == v1::FAILED    ? absl::StrCat("failed: ", reason)
                                : status == v1::PRUNED    ? std::string("pruned")
                                                          : absl::StrCat("cancelled: ", reason);
    CloseAttempt(conn_, trial_id, attempt, outcome, now_ms);
  }
}

void WriteTxn::RequeueTrial(int64_t trial_id, int32_t attempt, int32_t lost,
                            const std::string& outcome, int64_t now_ms) {
  auto& q = conn_.Prepare(
      "UPDATE trials SET status = ?, attempt = ?, lost = ?, worker = '', lease_expires_ms = 0 "
      "WHERE id = ?");
  q.bind(1, static_cast<int>(v1::PENDING));
  q.bind(2, attempt + 1);
  q.bind(3, lost);
  q.bind(4, trial_id);
  q.exec();
  CloseAttempt(conn_, trial_id, attempt, outcome, now_ms);
}

namespace {

// Every trial of `sweep` in `from` → CANCELLED with `reason`.
void CancelTrials(Connection& conn, int64_t sweep, v1::TrialStatus from, const std::string& reason, int64_t now_ms) {
  auto& q = conn.Prepare(
      "UPDATE trials SET status = ?, failure_reason = ?, finished_ms = ?, lease_expires_ms = 0 "
      "WHERE sweep_id = ? AND status = ?");
  q.bind(1, static_cast<int>(v1::CANCELLED));
  q.bind(2, reason);
  q.bind(3, now_ms);
  q.bind(4, sweep);
  q.bind(5, static_cast<int>(from));
  q.exec();
}

}  // namespace

void WriteTxn::CancelPendingTrials(int64_t sweep, const std::string& reason, int64_t now_ms) {
  CancelTrials(conn_, sweep, v1::PENDING, reason, now_ms);
}

void WriteTxn::CancelRunningTrials(int64_t sweep, const std::string& reason, int64_t now_ms) {
  auto& a = conn_.Prepare(
      "UPDATE trial_attempts SET finished_ms = ?1, outcome = ?2 WHERE finished_ms = 0 AND (trial_id, attempt) IN "
      "(SELECT id, attempt FROM trials WHERE sweep_id = ?3 AND status = ?4)");
  a.bind(1, now_ms);
  a.bind(2, absl::StrCat("cancelled: ", reason));
  a.bind(3, sweep);
  a.bind(4, static_cast<int>(v1::RUNNING));
  a.exec();
  CancelTrials(conn_, sweep, v1::RUNNING, reason, now_ms);
}

// ---------------------------------------------------------------------------- store

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store(options));
  if (options.exclusive && !store->in_memory()) {
    const std::string lock = options.path + ".lock";
    store->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (store->lock_fd_ < 0) {
      return absl::UnavailableError(absl::StrCat("cannot open database ", options.path, ": cannot create ", lock, ": ",
                                                 std::strerror(errno)));
    }
    if (::flock(store->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      return absl::FailedPreconditionError(absl::StrCat("database ", options.path,
                                                        " is in use by another hpsearch-server (it holds ", lock, ")"));
    }
  }
  try {
    store->writer_ = std::make_unique<Connection>(options.path, false, options.sync_full,
                                                  options.busy_timeout_ms);
    if (auto st = Migrate(*store->writer_); !st.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(options.path, ": ", st.message()));
    }
    if (!store->in_memory()) {
      for (int i = 0; i < std::max(1, options.readers); ++i) {
        store->idle_readers_.push_back(
            std::make_unique<Connection>(options.path, true, false, options.busy_timeout_ms));
      }
      store->writer_->Exec("PRAGMA wal_autocheckpoint=0");
      store->checkpointer_ = std::thread([s = store.get()] { s->CheckpointLoop(); });
    }
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot open database ", options.path, ": ", e.what()));
  }
  return store;
}

Store::~Store() {
  if (checkpointer_.joinable()) {
    {
      std::lock_guard lock(checkpoint_mu_);
      closing_ = true;
    }
    checkpoint_cv_.notify_all();
    checkpointer_.join();
  }
  idle_readers_.clear();
  writer_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock once the file is closed
}

void Store::CheckpointLoop() {
  std::unique_ptr<Connection> conn;
  try {
    conn = std::make_unique<Connection>(options_.path, false, options_.sync_full, options_.busy_timeout_ms);
  } catch (const std::exception&) {
    return;
  }
  std::unique_lock lock(checkpoint_mu_);
  for (;;) {
    const bool closing = checkpoint_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return closing_; });
    lock.unlock();
    try {
      // PASSIVE never blocks the writer or readers; at close, TRUNCATE empties the WAL.
      conn->Exec(closing ? "PRAGMA wal_checkpoint(TRUNCATE)" : "PRAGMA wal_checkpoint(PASSIVE)");
    } catch (const std::exception&) {
      // Busy or locked: the next round catches up.
    }
    if (closing) return;
    lock.lock();
  }
}

namespace {

// SQLite failures that go away by themselves (space freed, I/O back, a lock
// released) are UNAVAILABLE, so callers retry; the rest are bugs or damage.
absl::Status StoreError(const std::string& path, const std::exception& e) {
  if (const auto* sq = dynamic_cast<const SQLite::Exception*>(&e)) {
    switch (sq->getErrorCode()) {
      case SQLITE_FULL:
      case SQLITE_IOERR:
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
      case SQLITE_NOMEM:
      case SQLITE_CANTOPEN:
      case SQLITE_PROTOCOL:
        return absl::UnavailableError(absl::StrCat("database ", path, ": ", e.what()));
      default:
        break;
    }
  }
  return absl::InternalError(absl::StrCat("database ", path, ": ", e.what()));
}

}  // namespace

int Store::schema_version() {
  std::lock_guard lock(write_mu_);
  return SchemaVersion(*writer_);
}

absl::Status Store::Write(const std::function<absl::Status(WriteTxn&)>& body) {
  std::lock_guard lock(write_mu_);
  Connection& conn = *writer_;
  try {
    conn.Exec("BEGIN IMMEDIATE");
  } catch (const std::exception& e) {
    return StoreError(options_.path, e);
  }
  absl::Status st;
  try {
    WriteTxn txn(conn);
    st = body(txn);
    conn.ResetAll();
    if (st.ok() && options_.before_commit) st = options_.before_commit();
    if (st.ok()) {
      conn.Exec("COMMIT");
      return st;
    }
  } catch (const std::exception& e) {
    st = StoreError(options_.path, e);
  }
  try {
    conn.ResetAll();
    conn.Exec("ROLLBACK");
  } catch (...) {
  }
  return st;
}

absl::Status Store::Read(const std::function<absl::Status(ReadTxn&)>& body) {
  if (in_memory()) {
    std::lock_guard lock(write_mu_);
    try {
      ReadTxn txn(*writer_);
      absl::Status st = body(txn);
      writer_->ResetAll();
      return st;
    } catch (const std::exception& e) {
      return StoreError(options_.path, e);
    }
  }
  std::unique_ptr<Connection> conn;
  {
    std::unique_lock lock(readers_mu_);
    readers_cv_.wait(lock, [&] { return !idle_readers_.empty(); });
    conn = std::move(idle_readers_.back());
    idle_readers_.pop_back();
  }
  absl::Status st;
  try {
    conn->Exec("BEGIN");
    ReadTxn txn(*conn);
    st = body(txn);
    conn->ResetAll();
    conn->Exec("COMMIT");
  } catch (const std::exception& e) {
    st = StoreError(options_.path, e);
    try {
      conn->ResetAll();
      conn->Exec("ROLLBACK");
    } catch (...) {
    }
  }
  {
    std::lock_guard lock(readers_mu_);
    idle_readers_.push_back(std::move(conn));
  }
  readers_cv_.notify_one();
  return st;
}

}  // namespace hpsearch::store
