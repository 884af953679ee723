// One accepted socket as a byte stream, plain or TLS (OpenSSL), always non-blocking:
// each call does what it can now and says what it waits for. The listener's event
// loop drives it with epoll; an event stream's thread uses the blocking WriteAll,
// which waits with poll up to a deadline. TlsContext loads the certificate chain and
// key once and makes each connection's TLS session. A Transport is used by one
// thread at a time (it may move between threads); TlsContext is thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace hpsearch::http {

enum class Io {
  kOk,         // some bytes moved (or the handshake is done)
  kWantRead,   // wait until the socket is readable, then call again
  kWantWrite,  // wait until it is writable
  kClosed,     // the peer closed (reads: end of stream)
  kError,      // reset, TLS failure: drop the connection
};

class TlsContext {
 public:
  // PEM files: the certificate chain and its private key. INVALID_ARGUMENT naming
  // the file and OpenSSL's reason when they cannot be used.
  static absl::StatusOr<std::unique_ptr<TlsContext>> Load(const std::string& cert, const std::string& key);
  ~TlsContext();
  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

class Transport {
 public:
  // Takes `fd` (closed by the destructor); with `tls`, the server side of a TLS session.
  Transport(int fd, const TlsContext* tls);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // The TLS handshake (plain: done at once).
  Io Handshake();
  // Up to `size` bytes into `buf`; `*n` is how many on kOk.
  Io Read(char* buf, std::size_t size, std::size_t* n);
  // Some of `data`; `*n` is how many were taken on kOk.
  Io Write(std::string_view data, std::size_t* n);
  // All of `data` before `deadline`, waiting as needed; false if the peer is gone or
  // too slow.
  bool WriteAll(std::string_view data, std::chrono::steady_clock::time_point deadline);
  // Ends the sending side (TLS close_notify, then FIN); reads may go on.
  void ShutdownWrite();
  int fd() const { return fd_; }
  bool tls() const { return ssl_ != nullptr; }
  bool handshake_done() const { return handshake_done_; }

 private:
  Io TlsResult(int ret);

  int fd_;
  SSL* ssl_ = nullptr;
  bool handshake_done_ = false;
};

}  // namespace hpsearch::http
