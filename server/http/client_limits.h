// How many connections each client address holds, and in all, so that one address
// cannot take the listener's share of everyone (HttpLimits::max_client_connections,
// max_connections). A ClientSlot is one counted connection: it is released when
// destroyed, whichever thread ends the connection (the event loop, an event
// stream's thread). ClientKey names an address the way the count does: an IPv4
// address, or the /64 network of an IPv6 one (one host there holds 2^64 addresses).
// Thread-safe; it must outlive its slots.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace hpsearch::http {

// "192.0.2.7", "2001:db8:1:2::/64" ("::ffff:192.0.2.7" is the IPv4 address).
std::string ClientKey(const sockaddr_storage& address);

class ClientLimits;

class ClientSlot {
 public:
  ClientSlot() = default;
  ClientSlot(ClientLimits* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
  ClientSlot(ClientSlot&& other) noexcept : owner_(other.owner_), key_(std::move(other.key_)) {
    other.owner_ = nullptr;
  }
  ClientSlot& operator=(ClientSlot&& other) noexcept;
  ~ClientSlot();
  const std::string& key() const { return key_; }

 private:
  ClientLimits* owner_ = nullptr;
  std::string key_;
};

class ClientLimits {
 public:
  ClientLimits(int max_total, int max_per_client) : max_total_(max_total), max_per_client_(max_per_client) {}

  enum class Refusal { kNone, kTotal, kClient };
  // A slot for one more connection from `key`, or why not.
  std::optional<ClientSlot> Take(const std::string& key, Refusal* why);
  int total() const;
  int of(const std::string& key) const;
  int max_total() const { return max_total_; }
  int max_per_client() const { return max_per_client_; }

 private:
  friend class ClientSlot;
  void Release(const std::string& key);

  const int max_total_, max_per_client_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int> counts_;
  int total_ = 0;
};

}  // namespace hpsearch::http
