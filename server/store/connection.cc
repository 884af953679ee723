#include "server/store/connection.h"

#include <sqlite3.h>

namespace hpsearch::store {

namespace {

int OpenFlags(bool read_only) {
  return read_only ? SQLite::OPEN_READONLY : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
}

}  // namespace

Connection::Connection(const std::string& path, bool read_only, bool sync_full, int busy_timeout_ms)
    : db_(path, OpenFlags(read_only) | SQLITE_OPEN_NOMUTEX, busy_timeout_ms) {
  if (path != ":memory:" && !read_only) {
    db_.exec("PRAGMA journal_mode=WAL");
  }
  db_.exec(sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  db_.exec("PRAGMA foreign_keys=ON");
  db_.exec("PRAGMA temp_store=MEMORY");
}

SQLite::Statement& Connection::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    it = statements_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
  } else {
    // The code is the previous run's outcome (already reported to its caller).
    (void)it->second->tryReset();
    it->second->clearBindings();
  }
  return *it->second;
}

void Connection::ResetAll() noexcept {
  for (auto& [sql, stmt] : statements_) (void)stmt->tryReset();
}

bool Connection::EndTransaction() noexcept {
  ResetAll();
  if (sqlite3_get_autocommit(db_.getHandle()) == 0) {
    (void)sqlite3_exec(db_.getHandle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  return sqlite3_get_autocommit(db_.getHandle()) != 0;
}

}  // namespace hpsearch::store
