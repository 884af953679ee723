#include "server/http/client_limits.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace hpsearch::http {

std::string ClientKey(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    return text;
  }
  if (address.ss_family != AF_INET6) return "unknown";
  in6_addr a = reinterpret_cast<const sockaddr_in6&>(address).sin6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&a)) {
    inet_ntop(AF_INET, &a.s6_addr[12], text, sizeof text);
    return text;
  }
  std::memset(&a.s6_addr[8], 0, 8);
  inet_ntop(AF_INET6, &a, text, sizeof text);
  return std::string(text) + "/64";
}

ClientSlot& ClientSlot::operator=(ClientSlot&& other) noexcept {
  if (this != &other) {
    if (owner_) owner_->Release(key_);
    owner_ = other.owner_;
    key_ = std::move(other.key_);
    other.owner_ = nullptr;
  }
  return *this;
}

ClientSlot::~ClientSlot() {
  if (owner_) owner_->Release(key_);
}

std::optional<ClientSlot> ClientLimits::Take(const std::string& key, Refusal* why) {
  std::lock_guard lock(mu_);
  *why = Refusal::kNone;
  if (total_ >= max_total_) {
    *why = Refusal::kTotal;
    return std::nullopt;
  }
  int& n = counts_[key];
  if (n >= max_per_client_) {
    *why = Refusal::kClient;
    return std::nullopt;
  }
  ++n;
  ++total_;
  return ClientSlot(this, key);
}

void ClientLimits::Release(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = counts_.find(key);
  if (it != counts_.end() && --it->second <= 0) counts_.erase(it);
  --total_;
}

int ClientLimits::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

int ClientLimits::of(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(key);
  return it == counts_.end() ? 0 : it->second;
}

}  // namespace hpsearch::http
