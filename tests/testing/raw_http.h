// Raw HTTP/1.1 over TCP for tests that misbehave on purpose: a connection from a
// chosen loopback address (any of 127/8, so 127.0.0.2 is another client than
// 127.0.0.1), bytes sent exactly as given, and responses read with a deadline.
// Not thread-safe: one thread per RawConnection, except Send from a second thread
// while the first reads (the socket allows it).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

namespace hpsearch::testing {

class RawConnection {
 public:
  // Connects to 127.0.0.1:port from `from`; nullptr if it cannot.
  static std::unique_ptr<RawConnection> Open(int port, const std::string& from = "127.0.0.1") {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;
    std::unique_ptr<RawConnection> c(new RawConnection(fd));
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (inet_pton(AF_INET, from.c_str(), &local.sin_addr) != 1) return nullptr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return nullptr;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) return nullptr;
    timeval send_timeout{15, 0};  // a sender never blocks a test for ever
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    return c;
  }
  ~RawConnection() { close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends all of `bytes`; false once the server has closed or reset the connection.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response: its head and, when it has a Content-Length, that many bytes
  // of body (none for `head_request`); or whatever came before the peer closed or
  // `timeout` passed. Bytes past the response stay for the next call.
  std::string ReadResponse(std::chrono::milliseconds timeout, bool head_request = false) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const size_t end = pending_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t want = end + 4;
        if (!head_request) want += ContentLength(pending_.substr(0, end + 4));
        if (pending_.size() >= want) {
          std::string one = pending_.substr(0, want);
          pending_.erase(0, want);
          return one;
        }
      }
      if (!Fill(until)) {
        std::string all;
        all.swap(pending_);
        return all;
      }
    }
  }

  // True once the server closes (EOF or reset) within `timeout`; what it sent meanwhile
  // is kept in `received()`.
  bool WaitClosed(std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (Fill(until)) {
    }
    return closed_;
  }
  // Takes what has arrived without waiting; true once the server has closed.
  bool CheckClosed() {
    char buf[65536];
    while (!closed_) {
      const ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        pending_.append(buf, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        closed_ = true;
      } else {
        break;
      }
    }
    return closed_;
  }
  bool closed() const { return closed_; }
  const std::string& received() const { return pending_; }
  int fd() const { return fd_; }

 private:
  explicit RawConnection(int fd) : fd_(fd) {}

  static size_t ContentLength(const std::string& head) {
    std::string lower;
    for (char c : head) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    const size_t at = lower.find("\r\ncontent-length:");
    return at == std::string::npos ? 0 : std::stoul(lower.substr(at + 17));
  }

  // Appends what arrives before `until`; false on close, reset or timeout.
  bool Fill(std::chrono::steady_clock::time_point until) {
    if (closed_) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[65536];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    pending_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  bool closed_ = false;
  std::string pending_;
};

// The status code of a response ("HTTP/1.1 413 ..." → 413), 0 if there is none.
inline int StatusOf(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
  return std::atoi(response.c_str() + 9);
}

// The value of header `name` (lower case) in a response, "" if absent.
inline std::string HeaderOf(const std::string& response, const std::string& name) {
  std::string lower;
  for (char c : response.substr(0, response.find("\r\n\r\n")))
    lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  const size_t at = lower.find("\r\n" + name + ":");
  if (at == std::string::npos) return "";
  size_t from = at + 3 + name.size();
  while (from < response.size() && response[from] == ' ') ++from;
  return response.substr(from, response.find("\r\n", from) - from);
}

// The body of a response (after the head).
inline std::string BodyOf(const std::string& response) {
  const size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

// One request on a fresh connection from `from`, read until the response is whole.
inline std::string RawRequest(int port, const std::string& request, const std::string& from = "127.0.0.1",
                              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto c = RawConnection::Open(port, from);
  if (!c || !c->Send(request)) return "";
  return c->ReadResponse(timeout, request.rfind("HEAD ", 0) == 0);
}

// A process's peak and current resident memory (VmHWM, VmRSS), in bytes.
struct Memory {
  int64_t peak = 0, now = 0;
};
inline Memory MemoryOf(pid_t pid) {
  Memory m;
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) m.peak = std::stoll(line.substr(6)) * 1024;
    if (line.rfind("VmRSS:", 0) == 0) m.now = std::stoll(line.substr(6)) * 1024;
  }
  return m;
}

}  // namespace hpsearch::testing
