#include "server/http/session_store.h"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace hpsearch::http {

namespace {

constexpr std::size_t kIdBytes = 32;

absl::StatusOr<std::string> RandomId() {
  unsigned char bytes[kIdBytes];
  std::size_t got = 0;
  while (got < kIdBytes) {
    const ssize_t n = getrandom(bytes + got, kIdBytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::InternalError(absl::StrCat("getrandom for a session id: ", std::strerror(errno)));
    got += static_cast<std::size_t>(n);
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(bytes), kIdBytes));
}

}  // namespace

absl::StatusOr<std::string> SessionStore::Create() {
  auto id = RandomId();
  if (!id.ok()) return id.status();
  std::lock_guard lock(mu_);
  const auto now = now_();
  std::erase_if(expiry_, [&](const auto& kv) { return kv.second <= now; });
  if (expiry_.size() >= options_.max_sessions && !expiry_.empty()) {
    expiry_.erase(std::min_element(expiry_.begin(), expiry_.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; }));
  }
  expiry_[*id] = now + options_.lifetime;
  return id;
}

bool SessionStore::Valid(std::string_view id) {
  if (id.size() != 2 * kIdBytes) return false;
  std::lock_guard lock(mu_);
  auto it = expiry_.find(std::string(id));
  if (it == expiry_.end()) return false;
  if (it->second > now_()) return true;
  expiry_.erase(it);
  return false;
}

void SessionStore::End(std::string_view id) {
  std::lock_guard lock(mu_);
  expiry_.erase(std::string(id));
}

std::size_t SessionStore::size() {
  std::lock_guard lock(mu_);
  return expiry_.size();
}

}  // namespace hpsearch::http
