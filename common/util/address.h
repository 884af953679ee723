// Server addresses: host:port split in one place, and is this one on the local
// machine? (A token sent in plaintext to anything else deserves a warning.)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hpsearch {

// An address split at its last ':' into host and port: "127.0.0.1:50051" →
// "127.0.0.1" and "50051", "[::1]:50051" → "[::1]" (brackets kept: Unbracketed) and
// "50051". Without a ':' the whole address is the host and there is no port.
struct HostPort {
  std::string host;
  std::string port;  // empty when !has_port, or after a trailing ':'
  bool has_port = false;
};

inline HostPort SplitHostPort(std::string_view address) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return {std::string(address), "", false};
  return {std::string(address.substr(0, colon)), std::string(address.substr(colon + 1)), true};
}

// A host without the brackets of an IPv6 literal ("[::1]" → "::1"); any other host
// as it is.
inline std::string Unbracketed(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::string(host);
}

// True for 127.0.0.0/8, [::1], localhost and unix sockets, with or without a
// gRPC scheme prefix (ipv4:, ipv6:, dns:///).
inline bool IsLoopback(std::string host) {
  for (const char* scheme : {"ipv4:", "ipv6:", "dns:///", "dns:"}) {
    if (host.rfind(scheme, 0) == 0) host = host.substr(std::string(scheme).size());
  }
  if (host.rfind("unix:", 0) == 0) return true;
  if (host.rfind("[", 0) == 0) return host.rfind("[::1]", 0) == 0;
  host = SplitHostPort(host).host;
  return host == "localhost" || host.rfind("127.", 0) == 0;
}

}  // namespace hpsearch
