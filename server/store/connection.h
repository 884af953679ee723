// One SQLite connection with its prepared statements cached by SQL text, and the
// one way values are bound to them.
//
// Not thread-safe: the Store hands a connection to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "SQLiteCpp/Column.h"
#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"

namespace hpsearch::store {

// A BLOB parameter (bytes, not text).
struct Blob {
  const std::string& bytes;
};

class Connection {
 public:
  // Opens `path` (":memory:" for a private in-memory database) and applies the
  // per-connection settings: busy_timeout, foreign keys, and for files WAL with the
  // given synchronous level.
  Connection(const std::string& path, bool read_only, bool sync_full, int busy_timeout_ms);

  SQLite::Database& db() { return db_; }
  // A prepared statement, reset with its bindings cleared, ready to bind and step.
  SQLite::Statement& Prepare(const std::string& sql);
  // Prepare(sql) with args bound to ?1, ?2, ...: integers, enums, bools, doubles,
  // strings and Blob.
  template <typename... Args>
  SQLite::Statement& Query(const std::string& sql, const Args&... args) {
    SQLite::Statement& q = Prepare(sql);
    int i = 1;
    (Bind(q, i++, args), ...);
    return q;
  }
  // Query(sql, args...) run for its effect.
  template <typename... Args>
  void Run(const std::string& sql, const Args&... args) {
    Query(sql, args...).exec();
  }
  void Exec(const char* sql) { db_.exec(sql); }
  // Resets every cached statement. A statement left mid-result keeps its read
  // snapshot open past COMMIT, so transactions end with this. Never throws: a
  // statement whose last step failed reports that failure again on reset, and it was
  // already reported to its caller.
  void ResetAll() noexcept;
  // After a failed transaction: resets every statement and rolls back whatever is
  // still open. True when the connection is out of any transaction (usable again);
  // false means it must be replaced.
  bool EndTransaction() noexcept;

  template <typename T>
  static void Bind(SQLite::Statement& q, int i, const T& v) {
    if constexpr (std::is_enum_v<T>) {
      q.bind(i, static_cast<int>(v));
    } else if constexpr (std::is_same_v<T, bool>) {
      q.bind(i, v ? 1 : 0);
    } else if constexpr (std::is_same_v<T, uint64_t>) {
      q.bind(i, static_cast<int64_t>(v));  // stored bit for bit
    } else if constexpr (std::is_integral_v<T>) {
      q.bind(i, static_cast<int64_t>(v));
    } else if constexpr (std::is_same_v<T, Blob>) {
      q.bind(i, v.bytes.data(), static_cast<int>(v.bytes.size()));
    } else {
      q.bind(i, v);  // double, std::string, const char*
    }
  }

 private:
  SQLite::Database db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

}  // namespace hpsearch::store
