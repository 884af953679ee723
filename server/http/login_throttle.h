// Slows down token guessing over HTTP, per client address (an IPv6 client is its
// /64): each wrong token — at the login form or as a bearer header — counts; after
// `free_failures` of them the client is locked out for `first_lock`, doubling with
// each further failure up to `max_lock`. While locked, its attempts are answered
// 429 with Retry-After and not checked at all (so even the right token would not
// tell). A right token clears the count; a count with no failure for `forget_after`
// is forgotten. At most `max_clients` addresses are remembered (the one longest
// without a failure is dropped first), so the table's memory is bounded whatever
// the number of addresses. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hpsearch::http {

struct LoginThrottleOptions {
  int free_failures = 5;
  std::chrono::seconds first_lock{2};
  std::chrono::seconds max_lock{300};
  std::chrono::seconds forget_after{900};
  std::size_t max_clients = 10'000;
};

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  using Options = LoginThrottleOptions;

  explicit LoginThrottle(Options options = {}, std::function<Clock::time_point()> now = Clock::now)
      : options_(options), now_(std::move(now)) {}

  // Whole seconds `client` must still wait before its next attempt is checked (0: now).
  int64_t RetryAfter(const std::string& client);
  void Failed(const std::string& client);
  void Succeeded(const std::string& client);
  std::size_t size();

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point last_failure;
    Clock::time_point locked_until;
  };
  void MakeRoom(Clock::time_point now);

  const Options options_;
  const std::function<Clock::time_point()> now_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> clients_;
};

}  // namespace hpsearch::http
