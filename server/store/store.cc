// The Store: opening (migrations, the lock file), the connection pool, the
// checkpointer, and the transaction wrappers.
#include "server/store/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/util/log.h"
#include "server/store/integrity.h"
#include "server/store/schema.h"
#include "sqlite3.h"

namespace hpsearch::store {

// ---------------------------------------------------------------------------- store

namespace {

absl::Status VerifyPages(Connection& conn, const std::string& path) {
  const std::vector<std::string> found = CheckPages(conn, true, 5);
  if (found.empty()) return absl::OkStatus();
  std::string first;
  for (const auto& line : found) absl::StrAppend(&first, first.empty() ? "" : "; ", line);
  return absl::FailedPreconditionError(absl::StrCat(
      "database ", path, " is damaged (", first, "): not serving from it. `hpsearch-server --check-db --db ", path,
      "` prints the whole report; restore the last backup (docs/operations.md, \"Backups\")"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store(options));
  if (options.exclusive && !store->in_memory()) {
    const std::string lock = options.path + ".lock";
    store->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (store->lock_fd_ < 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot open database ", options.path, ": cannot create ", lock, ": ", std::strerror(errno)));
    }
    if (::flock(store->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("database ", options.path, " is in use by another hpsearch-server (it holds ", lock, ")"));
    }
  }
  try {
    store->writer_ = std::make_unique<Connection>(options.path, false, options.sync_full, options.busy_timeout_ms);
    if (options.verify_pages && !store->in_memory()) {
      if (auto st = VerifyPages(*store->writer_, options.path); !st.ok()) return st;
    }
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
// released) are UNAVAILABLE, so callers retry; the rest are bugs or damage. The
// message goes to clients, so it never names the file (the log does, for damage).
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
        return absl::UnavailableError(absl::StrCat("database: ", e.what()));
      default:
        break;
    }
  }
  log::Error("database ", path, ": ", e.what());
  return absl::InternalError(absl::StrCat("database: ", e.what()));
}

}  // namespace

void Store::ReplaceConnection(std::unique_ptr<Connection>& conn, bool read_only) {
  // A connection that cannot leave its transaction would fail every later call on it
  // ("cannot start a transaction within a transaction"): a fresh one replaces it. If
  // even opening fails, the old one stays and the next call reports that failure.
  // (A private in-memory database lives in its one connection: it is never replaced.)
  if (in_memory()) return;
  try {
    conn = std::make_unique<Connection>(options_.path, read_only, options_.sync_full, options_.busy_timeout_ms);
  } catch (const std::exception&) {
  }
}

int Store::schema_version() {
  std::lock_guard lock(write_mu_);
  return SchemaVersion(*writer_);
}

absl::Status Store::Write(const std::function<absl::Status(WriteTxn&)>& body) {
  std::lock_guard lock(write_mu_);
  Connection& conn = *writer_;
  try {
    conn.Run("BEGIN IMMEDIATE");  // a cached statement: parsing it cost each write ~3%
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
      conn.Run("COMMIT");
      return st;
    }
  } catch (const std::exception& e) {
    st = StoreError(options_.path, e);
  }
  if (!conn.EndTransaction()) ReplaceConnection(writer_, false);
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
      writer_->ResetAll();
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
    conn->Run("BEGIN");
    ReadTxn txn(*conn);
    st = body(txn);
    conn->ResetAll();
    conn->Run("COMMIT");
  } catch (const std::exception& e) {
    st = StoreError(options_.path, e);
    if (!conn->EndTransaction()) ReplaceConnection(conn, true);
  }
  {
    std::lock_guard lock(readers_mu_);
    idle_readers_.push_back(std::move(conn));
  }
  readers_cv_.notify_one();
  return st;
}

}  // namespace hpsearch::store
