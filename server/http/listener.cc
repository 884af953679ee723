#include "server/http/listener.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/util/log.h"
#include "server/http/listen_socket.h"
#include "server/http/response_writer.h"

namespace hpsearch::http {

namespace {

constexpr uint64_t kListenTag = 1, kWakeTag = 2;
constexpr auto kSweepEvery = std::chrono::milliseconds(100);

}  // namespace

Listener::Listener(const HttpLimits& limits, ClientLimits& clients, const TlsContext* tls, Dispatch dispatch,
                   StreamStart stream)
    : limits_(limits), clients_(clients), tls_(tls), dispatch_(std::move(dispatch)), stream_(std::move(stream)) {}

Listener::~Listener() {
  Stop();
  for (int fd : {listen_fd_, epoll_fd_, wake_fd_, spare_fd_}) {
    if (fd >= 0) close(fd);
  }
}

absl::Status Listener::Start(const std::string& address) {
  auto socket = ListenOn(address, 1024);
  if (!socket.ok()) return socket.status();
  listen_fd_ = socket->fd;
  port_ = socket->port;
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);  // given up to accept-and-close when out of descriptors
  if (epoll_fd_ < 0 || wake_fd_ < 0) return absl::InternalError(absl::StrCat("--http: epoll: ", strerror(errno)));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.u64 = kWakeTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void Listener::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    replies_.clear();
  }
  stopping_ = true;
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
}

void Listener::Post(Reply reply) {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    replies_.push_back(std::move(reply));
  }
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
}

void Listener::Run() {
  epoll_event events[64];
  while (!stopping_) {
    const int n = epoll_wait(epoll_fd_, events, 64, static_cast<int>(kSweepEvery.count()));
    const auto now = Clock::now();
    for (int i = 0; i < n && !stopping_; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kListenTag) {
        AcceptAll(now);
      } else if (tag == kWakeTag) {
        uint64_t count = 0;
        (void)!read(wake_fd_, &count, sizeof count);
        TakeReplies(now);
      } else if (auto it = conns_.find(tag); it != conns_.end()) {
        Apply(tag, it->second.conn->Advance(now));
      }
    }
    if (now >= next_sweep_) {
      ExpireDue(now);
      next_sweep_ = now + kSweepEvery;
    }
  }
  conns_.clear();  // closes every connection and releases its slot
}

void Listener::AcceptAll(Clock::time_point now) {
  for (;;) {
    sockaddr_storage address{};
    socklen_t len = sizeof address;
    const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&address), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
        // Out of descriptors: take the connection off the queue and close it, or the
        // loop would wake for it for ever.
        close(spare_fd_);
        const int dropped = accept(listen_fd_, nullptr, nullptr);
        if (dropped >= 0) close(dropped);
        spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
        LogRefusal("the process is out of file descriptors (raise its open-file limit)");
        continue;
      }
      return;  // EAGAIN: all taken
    }
    const std::string key = ClientKey(address);
    ClientLimits::Refusal why;
    std::optional<ClientSlot> slot = clients_.Take(key, &why);
    if (!slot) {
      Refuse(fd, key, why);
      continue;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const uint64_t id = next_id_++;
    auto conn = std::make_unique<Connection>(id, std::make_unique<Transport>(fd, tls_), std::move(*slot), limits_, now);
    conns_[id].conn = std::move(conn);
    Apply(id, conns_[id].conn->Advance(now));
  }
}

// A connection over the caps: a plain-text 503 if it can go at once, then close.
void Listener::Refuse(int fd, const std::string& key, ClientLimits::Refusal why) {
  const std::string reason = why == ClientLimits::Refusal::kClient
                                 ? absl::StrCat(clients_.max_per_client(), " connections from ", key,
                                                " are open (--http-max-client-connections)")
                                 : absl::StrCat(clients_.max_total(), " connections are open");
  if (!tls_) {
    const std::string answer = ErrorResponse(503, "UNAVAILABLE", reason);
    (void)!send(fd, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  close(fd);
  LogRefusal(reason);
}

void Listener::LogRefusal(const std::string& reason) {
  ++refused_since_log_;
  const auto now = Clock::now();
  if (now - last_refusal_log_ >= std::chrono::minutes(1)) {
    log::Warn("HTTP: refused ", refused_since_log_, " connection(s) since the last report: ", reason);
    last_refusal_log_ = now;
    refused_since_log_ = 0;
  }
}

void Listener::Apply(uint64_t id, Connection::Wait wait) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Entry& e = it->second;
  switch (wait) {
    case Connection::Wait::kRead:
      return Watch(id, e, EPOLLIN);
    case Connection::Wait::kWrite:
      return Watch(id, e, EPOLLOUT);
    case Connection::Wait::kNone:
      Watch(id, e, 0);  // nothing to wait for until the answer comes
      return dispatch_(e.conn->TakeRequest());
    case Connection::Wait::kClose:
      Watch(id, e, 0);
      conns_.erase(it);
      return;
  }
}

void Listener::Watch(uint64_t id, Entry& e, uint32_t events) {
  if (e.events == events) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = id;
  const int fd = e.conn->fd();
  if (events == 0) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, &ev);
  } else {
    epoll_ctl(epoll_fd_, e.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
  }
  e.events = events;
}

void Listener::TakeReplies(Clock::time_point now) {
  std::vector<Reply> replies;
  {
    std::lock_guard lock(mu_);
    replies.swap(replies_);
  }
  for (Reply& r : replies) {
    auto it = conns_.find(r.connection);
    if (it == conns_.end() || !it->second.conn->handling()) continue;
    if (r.stream) {
      std::unique_ptr<Connection> conn = std::move(it->second.conn);
      conns_.erase(it);
      stream_(conn->ReleaseTransport(), conn->ReleaseSlot(), std::move(r));
      continue;
    }
    it->second.conn->Respond(std::move(r.bytes), r.close, now);
    Apply(r.connection, it->second.conn->Advance(now));
  }
}

void Listener::ExpireDue(Clock::time_point now) {
  std::vector<uint64_t> due;
  for (const auto& [id, e] : conns_) {
    if (e.conn->deadline() <= now) due.push_back(id);
  }
  for (uint64_t id : due) {
    auto it = conns_.find(id);
    if (it != conns_.end()) Apply(id, it->second.conn->Expire(now));
  }
}

}  // namespace hpsearch::http
