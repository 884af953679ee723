// Server addresses: is this one on the local machine? (A token sent in plaintext to
// anything else deserves a warning.)
#pragma once

#include <string>

namespace hpsearch {

// True for 127.0.0.0/8, [::1], localhost and unix sockets, with or without a
// gRPC scheme prefix (ipv4:, ipv6:, dns:///).
inline bool IsLoopback(std::string host) {
  for (const char* scheme : {"ipv4:", "ipv6:", "dns:///", "dns:"}) {
    if (host.rfind(scheme, 0) == 0) host = host.substr(std::string(scheme).size());
  }
  if (host.rfind("unix:", 0) == 0) return true;
  if (host.rfind("[", 0) == 0) return host.rfind("[::1]", 0) == 0;
  host = host.substr(0, host.rfind(':'));
  return host == "localhost" || host.rfind("127.", 0) == 0;
}

}  // namespace hpsearch
