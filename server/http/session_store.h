// The dashboard's browser sessions: POST /login with the server's token creates one
// and the browser keeps only its id in a cookie — never the token, which also
// authorises gRPC writes and workers. An id is 32 bytes from the kernel's CSPRNG
// (getrandom) as 64 hex digits; it expires `lifetime` after the login and ends
// early at /logout. A session reads what the HTTP side serves (it is read-only) and
// nothing else. At most `max_sessions` live at once: a new one past that replaces
// the one closest to expiry. Kept in memory: a server restart signs everyone out.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/statusor.h"

namespace hpsearch::http {

struct SessionOptions {
  std::chrono::seconds lifetime{12 * 3600};
  std::size_t max_sessions = 1000;
};

class SessionStore {
 public:
  using Clock = std::chrono::steady_clock;
  using Options = SessionOptions;

  explicit SessionStore(Options options = {}, std::function<Clock::time_point()> now = Clock::now)
      : options_(options), now_(std::move(now)) {}

  // A new session's id; INTERNAL if the kernel gives no random bytes.
  absl::StatusOr<std::string> Create();
  // True while `id` names a session that has not expired or ended.
  bool Valid(std::string_view id);
  void End(std::string_view id);
  std::size_t size();
  const Options& options() const { return options_; }

 private:
  const Options options_;
  const std::function<Clock::time_point()> now_;
  std::mutex mu_;
  std::unordered_map<std::string, Clock::time_point> expiry_;  // id → when it expires
};

}  // namespace hpsearch::http
