#include "server/http/listen_socket.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/util/address.h"

namespace hpsearch::http {

namespace {

// One address from getaddrinfo, bound and listening; -1 if not.
int BindOne(const addrinfo& ai, int backlog) {
  const int fd = socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return -1;
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, ai.ai_addr, ai.ai_addrlen) != 0 || listen(fd, backlog) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return 0;
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in&>(a).sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6&>(a).sin6_port);
}

}  // namespace

absl::StatusOr<ListenSocket> ListenOn(const std::string& address, int backlog) {
  const HostPort split = SplitHostPort(address);
  if (!split.has_port || split.port.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--http '", address, "': give host:port, e.g. 127.0.0.1:8080"));
  }
  int port = -1;
  if (!absl::SimpleAtoi(split.port, &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--http '", address, "': the port is not a number in 0..65535"));
  }
  std::string host = Unbracketed(split.host);
  if (host.empty()) host = "0.0.0.0";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  ListenSocket out;
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &found) == 0) {
    for (const addrinfo* ai = found; ai && out.fd < 0; ai = ai->ai_next) out.fd = BindOne(*ai, backlog);
    freeaddrinfo(found);
  }
  if (out.fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("--http: cannot listen on ", address, " (address in use, or not an address?)"));
  }
  out.port = BoundPort(out.fd);
  return out;
}

}  // namespace hpsearch::http
