// Which Host header values the HTTP side serves, against DNS rebinding: a page of
// evil.example whose name the attacker re-points at 127.0.0.1 can call this server
// from the victim's browser, same-origin as far as the browser knows, but its
// requests say "Host: evil.example". Served: IP literals (v4, [v6]), localhost and
// *.localhost (browsers resolve those to loopback themselves), the names given with
// --http-host, and, when a token is required, any name (the token, and the
// session cookie of another origin, never reach the attacker's page, so it reads
// nothing). A request without Host (HTTP/1.0) is served. Immutable after
// construction; thread-safe.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace hpsearch::http {

class HostRule {
 public:
  HostRule(const std::vector<std::string>& names, bool token_required);

  // OK, or PERMISSION_DENIED naming the host and how to allow it.
  absl::Status Check(std::string_view host_header) const;

  // "Host:port", "[v6]:port" → the host in lower case without a trailing dot.
  static std::string HostOf(std::string_view host_header);

 private:
  std::set<std::string> names_;
  bool token_required_;
};

}  // namespace hpsearch::http
