// A fixed pool of threads for the blocking part of rpc handlers — store reads,
// waits on the scheduler's lock, commits — so gRPC's own threads only move bytes and
// keep answering (health checks included) however slow a query is.
//
// Thread-safe. Destruction runs every queued job, then joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hpsearch::service {

class Executor {
 public:
  // `max_queued`: jobs waiting beyond this are refused (Post returns false).
  Executor(int threads, std::size_t max_queued);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  bool Post(std::function<void()> job);

 private:
  void Loop();

  std::size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hpsearch::service
