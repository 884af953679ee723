// hpsearch-server's HTTP listener (--http), our own HTTP/1.1 server in front of
// HttpApi, plain or TLS with the gRPC server's certificate. Three kinds of thread:
//   * one event loop (listener.h) holds every connection while its request arrives
//     and while its answer is written — a slow client costs a descriptor and a
//     bounded buffer, never a thread — and enforces every bound of HttpLimits
//     before a handler runs;
//   * `workers` threads run HttpApi::Handle for complete requests only, and
//     serialize the answer (gzip for large JSON and text);
//   * each event stream (/events, at most `max_streams`) has a thread of its own
//     (stream_pump.h).
// Start and Stop from one thread; open_streams from any.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "server/http/client_limits.h"
#include "server/http/connection.h"
#include "server/http/http_api.h"
#include "server/http/http_limits.h"
#include "server/http/listener.h"
#include "server/http/stream_pump.h"
#include "server/http/transport.h"

namespace hpsearch::http {

class HttpServer {
 public:
  explicit HttpServer(const HttpApi& api, HttpLimits limits = {});
  ~HttpServer();

  // Binds `address` ("127.0.0.1:8080", "[::1]:8080"; port 0: any free one) and
  // serves until Stop. With `tls_cert` and `tls_key` (PEM files): HTTPS only.
  absl::Status Start(const std::string& address, const std::string& tls_cert, const std::string& tls_key);
  void Stop();
  int port() const { return listener_ ? listener_->port() : 0; }
  // Event streams (/events) open now.
  int open_streams() const { return open_streams_.load(); }
  const HttpLimits& limits() const { return limits_; }

 private:
  void Work();
  void Handle(PendingRequest request);

  const HttpApi& api_;
  HttpLimits limits_;
  std::unique_ptr<TlsContext> tls_;
  std::unique_ptr<ClientLimits> clients_;  // outlives every connection's slot
  std::unique_ptr<StreamPump> streams_;
  std::unique_ptr<Listener> listener_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<PendingRequest> queue_;  // guarded by mu_; at most one per connection
  bool stop_workers_ = false;         // guarded by mu_
  std::atomic<int> open_streams_{0};
};

}  // namespace hpsearch::http
