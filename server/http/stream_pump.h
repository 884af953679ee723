// Sends the server-sent event streams (/events), each on a thread of its own that
// owns the connection from the response head on: the events as EventStream yields
// them (chunked over HTTP/1.1), a keep-alive comment after 10 s without one (which
// is how a closed connection is noticed), the final event, then the end of the body
// and the connection. A write that the client does not take within the write
// timeout ends the stream. The listener caps how many are open (HttpLimits::
// max_streams), so the threads are few. Start and Stop from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include "server/http/client_limits.h"
#include "server/http/listener.h"
#include "server/http/transport.h"

namespace hpsearch::http {

class StreamPump {
 public:
  explicit StreamPump(std::chrono::milliseconds write_timeout) : write_timeout_(write_timeout) {}
  ~StreamPump() { Stop(); }

  // Takes the connection over: writes `reply.bytes`, then `reply.stream`.
  void Start(std::unique_ptr<Transport> transport, ClientSlot slot, Reply reply);
  // Ends every stream (its socket is shut down) and waits for the threads.
  void Stop();

 private:
  struct Job {
    std::thread thread;
    int fd = -1;
    std::atomic<bool> finished{false};
  };
  void Pump(Job* job, std::unique_ptr<Transport> transport, ClientSlot slot, Reply reply);
  void ReapFinished();  // with mu_ held

  const std::chrono::milliseconds write_timeout_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::list<std::unique_ptr<Job>> jobs_;  // guarded by mu_
};

}  // namespace hpsearch::http
