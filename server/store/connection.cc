#include "store/connection.h"

#include <sqlite3.h>

namespace hpsearch::store {

namespace {

int OpenFlags(bool read_only) {
  return read_only ? SQLite::OPEN_READONLY
                   : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
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
    it->second->reset();
    it->second->clearBindings();
  }
  return *it->second;
}

void Connection::ResetAll() {
  for (auto& [sql, stmt] : statements_) stmt->reset();
}

}  // namespace hpsearch::store
