// Every bound of the HTTP listener in one place, with the answer a client gets when
// it passes one (docs/operations.md, "Limits", is this struct as a table). A request
// is bounded before any handler sees it: its head in size, lines and time, its body
// in size (only POST /login takes one), and each client address in connections.
// Plain values; copied into the listener at start.
#pragma once

#include <chrono>
#include <cstddef>

namespace hpsearch::http {

struct HttpLimits {
  // The request head (request line and header lines, up to the blank line).
  std::size_t max_head_bytes = 16 * 1024;   // 431, then the connection closes
  std::size_t max_target_bytes = 8 * 1024;  // the request target (path and query): 414
  std::size_t max_header_lines = 100;       // 431
  // The one body the server takes: the login form. Any other body, a larger one or
  // a chunked one is refused from the head alone (413, 411) and never read.
  std::size_t max_body_bytes = 4 * 1024;
  // From a connection's accept (or a kept-alive connection's first byte) until its
  // head and body are in: 408, then close. Covers the TLS handshake.
  std::chrono::milliseconds request_deadline{10'000};
  // A kept-alive connection with no request under way is closed after this.
  std::chrono::milliseconds idle_timeout{5'000};
  // A response must be taken within this plus one second per `min_write_rate`
  // bytes; a reader slower than that is cut off.
  std::chrono::milliseconds write_grace{10'000};
  std::size_t min_write_rate = 64 * 1024;  // bytes per second
  // After a refusal the rest of the request is read and dropped (so the client sees
  // the answer rather than a reset) for at most this long and this many bytes.
  std::chrono::milliseconds linger{2'000};
  std::size_t linger_bytes = 16 << 20;
  // Connections open at once: in all (also bounded by half the open-file limit) and
  // from one client address (an IPv6 client is its /64). Beyond: 503 and close.
  int max_connections = 1024;
  int max_client_connections = 64;
  // Threads that run the handlers (HttpApi::Handle) for complete requests.
  int workers = 8;
  // Event streams (/events) open at once, each on its own thread: 503 beyond.
  int max_streams = 32;
};

}  // namespace hpsearch::http
