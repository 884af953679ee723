// The listening socket of --http: "host:port", "[v6]:port" or ":port" (all IPv4
// addresses), port 0 for any free one; a host name is resolved and the first
// address that binds is used. Non-blocking, close-on-exec, SO_REUSEADDR. A plain
// function; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace hpsearch::http {

struct ListenSocket {
  int fd = -1;
  int port = 0;  // the bound port
};

// INVALID_ARGUMENT for an address that is not host:port, UNAVAILABLE when it cannot
// be bound (in use, not an address of this machine).
absl::StatusOr<ListenSocket> ListenOn(const std::string& address, int backlog);

}  // namespace hpsearch::http
