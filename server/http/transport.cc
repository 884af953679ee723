#include "server/http/transport.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"

namespace hpsearch::http {

namespace {

std::string OpenSslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::Load(const std::string& cert, const std::string& key) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return absl::InternalError(absl::StrCat("TLS: ", OpenSslError()));
  std::unique_ptr<TlsContext> out(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);  // memory bounded; TLS 1.3 tickets still resume
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http: cannot use the TLS certificate ", cert, ": ", OpenSslError()));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("--http: cannot use the TLS key ", key, ": ", OpenSslError()));
  }
  return out;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

Transport::Transport(int fd, const TlsContext* tls) : fd_(fd) {
  if (!tls) {
    handshake_done_ = true;
    return;
  }
  ssl_ = SSL_new(tls->get());
  if (ssl_) {
    SSL_set_fd(ssl_, fd_);
    SSL_set_accept_state(ssl_);
  }
}

Transport::~Transport() {
  if (ssl_) SSL_free(ssl_);
  close(fd_);
}

Io Transport::TlsResult(int ret) {
  const int err = SSL_get_error(ssl_, ret);
  const int saved_errno = errno;
  ERR_clear_error();
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return Io::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return Io::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return Io::kClosed;
    case SSL_ERROR_SYSCALL:
      return saved_errno == 0 ? Io::kClosed : Io::kError;
    default:
      return Io::kError;
  }
}

Io Transport::Handshake() {
  if (handshake_done_) return Io::kOk;
  if (!ssl_) return Io::kError;
  ERR_clear_error();
  const int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    handshake_done_ = true;
    return Io::kOk;
  }
  const Io io = TlsResult(ret);
  return io == Io::kClosed ? Io::kError : io;
}

Io Transport::Read(char* buf, std::size_t size, std::size_t* n) {
  *n = 0;
  if (ssl_) {
    ERR_clear_error();
    const int ret = SSL_read(ssl_, buf, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
    if (ret > 0) {
      *n = static_cast<std::size_t>(ret);
      return Io::kOk;
    }
    return TlsResult(ret);
  }
  for (;;) {
    const ssize_t ret = recv(fd_, buf, size, 0);
    if (ret > 0) {
      *n = static_cast<std::size_t>(ret);
      return Io::kOk;
    }
    if (ret == 0) return Io::kClosed;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? Io::kWantRead : Io::kError;
  }
}

Io Transport::Write(std::string_view data, std::size_t* n) {
  *n = 0;
  if (data.empty()) return Io::kOk;
  if (ssl_) {
    ERR_clear_error();
    const int ret = SSL_write(ssl_, data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 30)));
    if (ret > 0) {
      *n = static_cast<std::size_t>(ret);
      return Io::kOk;
    }
    const Io io = TlsResult(ret);
    return io == Io::kClosed ? Io::kError : io;
  }
  for (;;) {
    const ssize_t ret = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (ret >= 0) {
      *n = static_cast<std::size_t>(ret);
      return Io::kOk;
    }
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? Io::kWantWrite : Io::kError;
  }
}

bool Transport::WriteAll(std::string_view data, std::chrono::steady_clock::time_point deadline) {
  while (!data.empty()) {
    std::size_t n = 0;
    const Io io = Write(data, &n);
    if (io == Io::kOk) {
      data.remove_prefix(n);
      continue;
    }
    if (io != Io::kWantRead && io != Io::kWantWrite) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, static_cast<short>(io == Io::kWantRead ? POLLIN : POLLOUT), 0};
    if (poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) return false;
  }
  return true;
}

void Transport::ShutdownWrite() {
  if (ssl_ && handshake_done_) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // close_notify, best effort
    ERR_clear_error();
  }
  shutdown(fd_, SHUT_WR);
}

}  // namespace hpsearch::http
