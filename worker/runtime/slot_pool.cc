#include "runtime/slot_pool.h"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include "absl/strings/str_cat.h"
#include "runtime/lease_runner.h"
#include "util/log.h"

namespace hpsearch::runtime {

namespace v1 = hpsearch::v1;

// Routes one trial's reports to the source.
class SlotPool::Sink : public TrialSink {
 public:
  Sink(TrialSource& source, v1::LeaseKey key, std::shared_ptr<std::atomic<bool>> stop)
      : source_(source), key_(std::move(key)), stop_(std::move(stop)) {}

  bool OnEpoch(const v1::EpochMetrics& epoch, const v1::ActivationStats& stats) override {
    if (stop_->load()) return false;
    v1::ReportProgressRequest req;
    *req.mutable_key() = key_;
    *req.mutable_epoch() = epoch;
    *req.mutable_diagnostics() = stats;
    auto reply = source_.Report(req);
    return reply.ok() && reply->directive() != v1::STOP;
  }

  void OnComplete(const v1::CompleteTrialRequest& result) override {
    v1::CompleteTrialRequest req = result;
    *req.mutable_key() = key_;
    if (auto st = source_.Complete(req); !st.ok()) Warn("completion", st);
  }

  void OnFail(const std::string& reason, bool permanent) override {
    v1::FailTrialRequest req;
    *req.mutable_key() = key_;
    req.set_reason(reason);
    req.set_permanent(permanent);
    if (auto st = source_.Fail(req); !st.ok()) Warn("failure report", st);
  }

 private:
  void Warn(const char* what, const absl::Status& st) {
    // A stale lease is expected after a cancel or a shutdown hand-back.
    if (st.code() != absl::StatusCode::kFailedPrecondition) {
      log::Warn("trial ", key_.sweep_id(), "/", key_.index(), ": ", what, " not recorded: ", st.message());
    }
  }

  TrialSource& source_;
  v1::LeaseKey key_;
  std::shared_ptr<std::atomic<bool>> stop_;
};

SlotPool::SlotPool(TrialSource& source, data::DatasetCache& datasets, PoolOptions options)
    : source_(source), datasets_(datasets), options_(std::move(options)) {
  options_.slots = std::max(1, options_.slots);
  // oneTBB sizes its thread pool to the cores; the arena needs one thread per slot.
  parallelism_ = std::make_unique<tbb::global_control>(
      tbb::global_control::max_allowed_parallelism,
      std::max<std::size_t>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism),
                            static_cast<std::size_t>(options_.slots) + 1));
  arena_ = std::make_unique<tbb::task_arena>(options_.slots, 0);
}

SlotPool::~SlotPool() {
  if (driver_.joinable()) Stop(std::chrono::milliseconds(0), std::chrono::seconds(30));
}

void SlotPool::Start() {
  {
    std::lock_guard lock(mu_);
    live_slots_ = options_.slots;
  }
  // One long-running task per slot: each slot leases, trains and reports on its own
  // thread, so a trial never waits for a hand-off between threads.
  for (int slot = 0; slot < options_.slots; ++slot) {
    arena_->enqueue([this, slot] { SlotLoop(slot); });
  }
  driver_ = std::thread([this] { HeartbeatLoop(); });
}

int SlotPool::busy() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(in_flight_.size());
}

void SlotPool::HeartbeatLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, options_.heartbeat, [&] { return stopping_.load(); });
    if (stopping_) break;
    lock.unlock();
    Heartbeat();
    lock.lock();
  }
}

void SlotPool::SlotLoop(int slot) {
  const std::string worker = absl::StrCat(options_.worker_prefix, slot);
  while (!stopping_) {
    auto lease = source_.Acquire(worker, "");
    if (!lease.ok() || !lease->has_value()) {
      if (!lease.ok()) log::Warn("embedded slot ", slot, ": cannot lease a trial: ", lease.status().message());
      source_.WaitForWork(std::chrono::milliseconds(200));
      continue;
    }
    auto stop = std::make_shared<std::atomic<bool>>(false);
    {
      std::lock_guard lock(mu_);
      in_flight_[slot] = (*lease)->key();
      stop_flags_[slot] = stop;
    }
    Run(**lease, slot, stop);
    {
      std::lock_guard lock(mu_);
      in_flight_.erase(slot);
      stop_flags_.erase(slot);
    }
    cv_.notify_all();
  }
  {
    std::lock_guard lock(mu_);
    --live_slots_;
  }
  cv_.notify_all();
}

void SlotPool::Run(const v1::Lease& lease, int slot, std::shared_ptr<std::atomic<bool>> stop) {
  Sink sink(source_, lease.key(), std::move(stop));
  RunnerOptions options;
  options.memory_limit_bytes = options_.memory_limit_bytes;
  options.abort = &abort_;
  try {
    RunLease(lease, datasets_, options, sink);
  } catch (const std::exception& e) {
    log::Error("embedded slot ", slot, ": trial ", lease.key().sweep_id(), "/", lease.key().index(), ": ", e.what());
    sink.OnFail(absl::StrCat("internal error: ", e.what()), true);
  }
}

void SlotPool::Heartbeat() {
  std::map<int, v1::LeaseKey> keys;
  {
    std::lock_guard lock(mu_);
    keys = in_flight_;
  }
  for (const auto& [slot, key] : keys) {
    v1::ReportProgressRequest req;
    *req.mutable_key() = key;
    auto reply = source_.Report(req);
    if (!reply.ok() || reply->directive() == v1::STOP) {
      std::lock_guard lock(mu_);
      auto it = stop_flags_.find(slot);
      if (it != stop_flags_.end() && in_flight_.count(slot) && in_flight_[slot].attempt() == key.attempt() &&
          in_flight_[slot].sweep_id() == key.sweep_id() && in_flight_[slot].index() == key.index()) {
        it->second->store(true);
      }
    }
  }
}

bool SlotPool::WaitIdle(std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mu_);
  return cv_.wait_until(lock, until, [&] { return live_slots_ == 0; });
}

bool SlotPool::Stop(std::chrono::milliseconds grace, std::chrono::milliseconds hard) {
  stopping_ = true;
  cv_.notify_all();
  source_.Wake();  // idle slots see stopping_ and leave
  if (driver_.joinable()) driver_.join();
  const auto start = std::chrono::steady_clock::now();
  if (WaitIdle(start + grace)) return true;
  log::Info("shutdown: ", busy(), " trials still running; stopping them at their next epoch");
  abort_ = true;
  return WaitIdle(start + grace + hard);
}

}  // namespace hpsearch::runtime
