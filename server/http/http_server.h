// The HTTP listener (cpp-httplib, Debian's libcpp-httplib-dev) in front of HttpApi:
// plain or TLS with the gRPC server's certificate, on its own threads. Every request
// is handed to HttpApi as it is; nothing else is served. Responses carrying an event
// stream are sent chunked as the stream produces them.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "http/http_api.h"

namespace httplib {
class Server;
}

namespace hpsearch::http {

class HttpServer {
 public:
  explicit HttpServer(const HttpApi& api);
  ~HttpServer();

  // Binds `address` ("127.0.0.1:8080", "[::1]:8080"; port 0: any free one) and
  // serves until Stop. With `tls_cert` and `tls_key` (PEM files): HTTPS only.
  absl::Status Start(const std::string& address, const std::string& tls_cert, const std::string& tls_key);
  void Stop();
  int port() const { return port_; }
  // Event streams (/events) open now.
  int open_streams() const { return open_streams_.load(); }
  static constexpr int kMaxStreams = 32;

 private:
  const HttpApi& api_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> open_streams_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace hpsearch::http
