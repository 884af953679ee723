#include "server/http/login_throttle.h"

#include <algorithm>

namespace hpsearch::http {

int64_t LoginThrottle::RetryAfter(const std::string& client) {
  std::lock_guard lock(mu_);
  auto it = clients_.find(client);
  if (it == clients_.end()) return 0;
  const auto left = it->second.locked_until - now_();
  if (left <= Clock::duration::zero()) return 0;
  return std::chrono::ceil<std::chrono::seconds>(left).count();
}

void LoginThrottle::Failed(const std::string& client) {
  std::lock_guard lock(mu_);
  const auto now = now_();
  auto it = clients_.find(client);
  if (it == clients_.end()) {
    MakeRoom(now);
    it = clients_.emplace(client, Entry{}).first;
  } else if (now - it->second.last_failure > options_.forget_after) {
    it->second = Entry{};
  }
  Entry& e = it->second;
  e.failures += 1;
  e.last_failure = now;
  const int over = e.failures - options_.free_failures;
  if (over >= 0) {
    auto lock_for = options_.first_lock * (int64_t{1} << std::min(over, 20));
    e.locked_until = now + std::min<std::chrono::seconds>(lock_for, options_.max_lock);
  }
}

void LoginThrottle::Succeeded(const std::string& client) {
  std::lock_guard lock(mu_);
  clients_.erase(client);
}

std::size_t LoginThrottle::size() {
  std::lock_guard lock(mu_);
  return clients_.size();
}

// Before adding an address to a full table: forget the stale, then the one whose
// last failure is oldest.
void LoginThrottle::MakeRoom(Clock::time_point now) {
  if (clients_.size() < options_.max_clients) return;
  std::erase_if(clients_, [&](const auto& kv) {
    return now - kv.second.last_failure > options_.forget_after && now >= kv.second.locked_until;
  });
  if (clients_.size() < options_.max_clients) return;
  auto oldest = std::min_element(clients_.begin(), clients_.end(), [](const auto& a, const auto& b) {
    return a.second.last_failure < b.second.last_failure;
  });
  clients_.erase(oldest);
}

}  // namespace hpsearch::http
