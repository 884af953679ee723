// One SQLite connection with its prepared statements cached by SQL text.
//
// Not thread-safe: the Store hands a connection to one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"

namespace hpsearch::store {

class Connection {
 public:
  // Opens `path` (":memory:" for a private in-memory database) and applies the
  // per-connection settings: busy_timeout, foreign keys, and for files WAL with the
  // given synchronous level.
  Connection(const std::string& path, bool read_only, bool sync_full, int busy_timeout_ms);

  SQLite::Database& db() { return db_; }
  // A prepared statement, reset with its bindings cleared, ready to bind and step.
  SQLite::Statement& Prepare(const std::string& sql);
  void Exec(const char* sql) { db_.exec(sql); }
  // Resets every cached statement. A statement left mid-result keeps its read
  // snapshot open past COMMIT, so transactions end with this.
  void ResetAll();

 private:
  SQLite::Database db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

}  // namespace hpsearch::store
