// The server's own trial slots: N trials at a time on a oneTBB arena, one thread
// each (a trial is single-threaded), fed by the scheduler through the same
// Acquire / Report / Complete / Fail calls a remote worker makes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include "data/dataset_loader.h"
#include "scheduler/scheduler.h"


namespace hpsearch::scheduler {

struct PoolOptions {
  int slots = 1;
  std::size_t memory_limit_bytes = std::size_t{2} << 30;  // per trial
  // Bare progress reports between epochs keep long epochs' leases alive.
  std::chrono::milliseconds heartbeat{5000};
  std::string worker_prefix = "embedded-";
};

class EmbeddedPool {
 public:
  EmbeddedPool(Scheduler& scheduler, data::DatasetCache& datasets, PoolOptions options);
  ~EmbeddedPool();

  void Start();
  // Stops leasing. Running trials get `grace` to finish; the rest stop at their next
  // epoch and are handed back (PENDING), waiting at most `hard` more. Returns false
  // if a trial was still inside an epoch when time ran out (it was handed back
  // anyway; its thread is still busy).
  bool Stop(std::chrono::milliseconds grace, std::chrono::milliseconds hard);
  int busy() const;

 private:
  class Sink;
  void SlotLoop(int slot);
  void HeartbeatLoop();
  void Heartbeat();
  void Run(const hpsearch::v1::Lease& lease, int slot, std::shared_ptr<std::atomic<bool>> stop);
  bool WaitIdle(std::chrono::steady_clock::time_point until);

  Scheduler& scheduler_;
  data::DatasetCache& datasets_;
  PoolOptions options_;
  std::unique_ptr<tbb::global_control> parallelism_;
  std::unique_ptr<tbb::task_arena> arena_;
  std::thread driver_;  // heartbeats
  std::atomic<bool> stopping_{false};
  std::atomic<bool> abort_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  int live_slots_ = 0;
  std::map<int, hpsearch::v1::LeaseKey> in_flight_;  // by slot
  std::map<int, std::shared_ptr<std::atomic<bool>>> stop_flags_;
};

}  // namespace hpsearch::scheduler
