// N trial slots on a oneTBB arena, one thread each (a trial is single-threaded):
// each slot leases a trial from its TrialSource, trains it with RunLease, reports,
// and repeats. The server's embedded workers and a remote hpsearch-worker are both
// this pool, with different sources.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include "common/protocol/trial_source.h"
#include "common/protocol/worker_id.h"
#include "worker/data/dataset_loader.h"
#include "worker/runtime/command_launch.h"
#include "worker/runtime/launcher.h"
#include "worker/runtime/step_parallelism.h"

namespace hpsearch::runtime {

struct PoolOptions {
  int slots = 1;
  std::size_t memory_limit_bytes = std::size_t{2} << 30;  // per trial
  std::string worker_prefix = kEmbeddedWorkerPrefix;      // slot k is worker "<prefix>k"
  // How long a completion or failure report keeps being retried while the source
  // answers UNAVAILABLE (its store cannot be written); the result is kept meanwhile.
  std::chrono::milliseconds report_retry{std::chrono::minutes(10)};
  // Threads one trial's steps may use while it runs alone on the pool (the tail of a
  // sweep: the idle slots' cores help; runtime/step_parallelism.h).
  // 1: every trial on its own thread only. At most `slots`.
  int max_step_threads = 2;
  // Set: the pool runs command trials too (its owner was started with --commands).
  std::optional<CommandEnvironment> commands;
};

// How often a trial must be heard from to keep a lease of `lease_ms`: a third of it
// (two reports may be lost before it expires), at least every 50 ms, at most every 5 s.
std::chrono::milliseconds HeartbeatInterval(int64_t lease_ms);

class SlotPool {
 public:
  SlotPool(TrialSource& source, data::DatasetCache& datasets, PoolOptions options);
  ~SlotPool();

  void Start();
  // Stops leasing. Running trials get `grace` to finish; the rest stop at their next
  // epoch and are handed back (FailTrial, not permanent), waiting at most `hard`
  // more. Returns false if a trial was still inside an epoch when time ran out.
  bool Stop(std::chrono::milliseconds grace, std::chrono::milliseconds hard);
  int busy() const;
  // Products a lone trial has split over the spare cores so far (0 without them).
  int64_t spare_runs() const { return spare_ ? spare_->runs() : 0; }

 private:
  class Sink;
  void SlotLoop(int slot);
  void HeartbeatLoop();
  void Heartbeat();
  void Run(const Lease& lease, int slot, Launcher* launcher, std::shared_ptr<std::atomic<bool>> stop);
  bool WaitIdle(std::chrono::steady_clock::time_point until);
  // A report reached the source for `slot`'s trial (its lease is fresh until one
  // interval from now); lease_ms > 0 updates the lease length.
  void Heard(int slot, int64_t lease_ms);
  // Cores: a slot takes one before it asks for a trial (waiting for one to be free)
  // and offers the source what is free besides; a command trial of trainer.slots k
  // takes k - 1 more (waiting until they are free), and all are given back at its end.
  // ClaimCore returns what it may offer (0: stopping).
  int ClaimCore();
  void TakeCores(int n);
  void ReturnCores(int n);

  TrialSource& source_;
  data::DatasetCache& datasets_;
  PoolOptions options_;
  std::unique_ptr<tbb::global_control> parallelism_;
  std::unique_ptr<tbb::task_arena> arena_;
  std::unique_ptr<StepParallelism> spare_;  // none: max_step_threads 1 or one slot
  std::atomic<int> running_{0};             // in_flight_.size(), read without mu_ before every step
  std::thread driver_;                      // heartbeats
  std::atomic<bool> stopping_{false};
  std::atomic<bool> abort_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;            // cores freed, slots ended, stopping
  std::condition_variable heartbeat_cv_;  // the heartbeat loop: an earlier deadline, stopping
  // When the heartbeat loop wakes next: a trial starting wakes it only if its lease
  // needs a word sooner (a wake per trial costs the slot a futex and a switch).
  std::chrono::steady_clock::time_point heartbeat_due_;
  int live_slots_ = 0;
  struct InFlight {
    LeaseKey key;
    std::shared_ptr<std::atomic<bool>> stop;
    int64_t lease_ms = 0;
    std::chrono::steady_clock::time_point heard;  // last report that reached the source
  };
  std::map<int, InFlight> in_flight_;  // by slot
  int free_cores_ = 0;                 // of options_.slots, not taken by a slot's trial
};

}  // namespace hpsearch::runtime
