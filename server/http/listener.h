// The HTTP listener's event loop: one thread and epoll over the listening socket and
// every connection, so that a connection whose request is still arriving costs a
// file descriptor and a small bounded buffer, never a thread. It accepts within the
// connection caps (ClientLimits: beyond them a plain 503 and close), drives each
// Connection (TLS handshake, head, login body, writes, linger) and enforces its
// deadlines, and hands complete requests to `dispatch` — which must not block; the
// answers come back through Post from any thread. A reply carrying an event stream
// takes its connection off the loop and gives it to `stream`.
//
// Thread-safety: Post from any thread; Start and Stop from the owner's.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "server/http/client_limits.h"
#include "server/http/connection.h"
#include "server/http/event_stream.h"
#include "server/http/http_limits.h"
#include "server/http/transport.h"

namespace hpsearch::http {

struct Reply {
  uint64_t connection = 0;
  std::string bytes;  // the whole response, or the head of a stream's
  bool close = false;
  std::shared_ptr<EventStream> stream;  // set: a stream follows (its thread sends it)
  std::shared_ptr<void> stream_slot;    // held while the stream is open (counts it)
  bool chunked = true;
};

class Listener {
 public:
  using Clock = std::chrono::steady_clock;
  using Dispatch = std::function<void(PendingRequest)>;
  using StreamStart = std::function<void(std::unique_ptr<Transport>, ClientSlot, Reply)>;

  Listener(const HttpLimits& limits, ClientLimits& clients, const TlsContext* tls, Dispatch dispatch,
           StreamStart stream);
  ~Listener();

  // Binds `address` and starts the loop's thread.
  absl::Status Start(const std::string& address);
  // Ends the loop and every connection on it.
  void Stop();
  int port() const { return port_; }
  // The answer to a dispatched request, from any thread (dropped after Stop).
  void Post(Reply reply);

 private:
  struct Entry {
    std::unique_ptr<Connection> conn;
    uint32_t events = 0;  // what epoll watches for it; 0: not registered
  };
  void Run();
  void AcceptAll(Clock::time_point now);
  void Refuse(int fd, const std::string& key, ClientLimits::Refusal why);
  void LogRefusal(const std::string& reason);  // at most once a minute
  void Apply(uint64_t id, Connection::Wait wait);
  void Watch(uint64_t id, Entry& e, uint32_t events);
  void TakeReplies(Clock::time_point now);
  void ExpireDue(Clock::time_point now);

  const HttpLimits limits_;
  ClientLimits& clients_;
  const TlsContext* tls_;
  Dispatch dispatch_;
  StreamStart stream_;
  int listen_fd_ = -1, epoll_fd_ = -1, wake_fd_ = -1, spare_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::unordered_map<uint64_t, Entry> conns_;  // the loop thread's only
  uint64_t next_id_ = 16;                      // ids below are the loop's own fds' tags
  std::mutex mu_;
  std::vector<Reply> replies_;  // guarded by mu_
  bool stopped_ = false;        // guarded by mu_
  Clock::time_point next_sweep_{}, last_refusal_log_{};
  int refused_since_log_ = 0;
};

}  // namespace hpsearch::http
