#include "scheduler/embedded_pool.h"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include "absl/strings/str_cat.h"
#include "runtime/lease_runner.h"
#include "util/log.h"

namespace hpsearch::scheduler {

namespace v1 = hpsearch::v1;

// Routes one trial's reports to the scheduler.
class EmbeddedPool::Sink : public runtime::TrialSink {
 public:
  Sink(Scheduler& scheduler, v1::LeaseKey key, std::shared_ptr<std::atomic<bool>> stop)
      : scheduler_(scheduler), key_(std::move(key)), stop_(std::move(stop)) {}

  bool OnEpoch(const v1::EpochMetrics& epoch, const v1::ActivationStats& stats) override {
    if (stop_->load()) return false;
    v1::ReportProgressRequest req;
    *req.mutable_key() = key_;
    *req.mutable_epoch() = epoch;
    *req.mutable_diagnostics() = stats;
    auto reply = scheduler_.Report(req);
    return reply.ok() && reply->directive != v1::STOP;
  }

  void OnComplete(const v1::CompleteTrialRequest& result) override {
    v1::CompleteTrialRequest req = result;
    *req.mutable_key() = key_;
    if (auto st = scheduler_.Complete(req); !st.ok()) Warn("completion", st);
  }

  void OnFail(const std::string& reason, bool permanent) override {
    v1::FailTrialRequest req;
    *req.mutable_key() = key_;
    req.set_reason(reason);
    req.set_permanent(permanent);
    if (auto st = scheduler_.Fail(req); !st.ok()) Warn("failure report", st);
  }

 private:
  void Warn(const char* what, const absl::Status& st) {
    // A stale lease is expected after a cancel or a shutdown hand-back.
    if (st.code() != absl::StatusCode::kFailedPrecondition) {
      log::Warn("trial ", key_.sweep_id(), "/", key_.index(), ": ", what, " not recorded: ", st.message());
    }
  }

  Scheduler& scheduler_;
  v1::LeaseKey key_;
  std::shared_ptr<std::atomic<bool>> stop_;
};

EmbeddedPool::EmbeddedPool(Scheduler& scheduler, data::DatasetCache& datasets, PoolOptions options)
    : scheduler_(scheduler), datasets_(datasets), options_(std::move(options)) {
  options_.slots = std::max(1, options_.slots);
  // oneTBB sizes its thread pool to the cores; the arena needs one thread per slot.
  parallelism_ = std::make_unique<tbb::global_control>(
      tbb::global_control::max_allowed_parallelism,
      std::max<std::size_t>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism),
                            static_cast<std::size_t>(options_.slots) + 1));
  arena_ = std::make_unique<tbb::task_arena>(options_.slots, 0);
  for (int i = options_.slots - 1; i >= 0; --i) free_slots_.push_back(i);
}

EmbeddedPool::~EmbeddedPool() {
  if (driver_.joinable()) Stop(std::chrono::milliseconds(0), std::chrono::seconds(30));
}

void EmbeddedPool::Start() {
  driver_ = std::thread([this] { Drive(); });
}

int EmbeddedPool::busy() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(in_flight_.size());
}

void EmbeddedPool::Drive() {
  auto last_beat = std::chrono::steady_clock::now();
  while (!stopping_) {
    if (std::chrono::steady_clock::now() - last_beat >= options_.heartbeat) {
      Heartbeat();
      last_beat = std::chrono::steady_clock::now();
    }
    int slot = -1;
    {
      std::unique_lock lock(mu_);
      if (free_slots_.empty()) {
        cv_.wait_for(lock, std::chrono::milliseconds(200),
                     [&] { return stopping_ || !free_slots_.empty(); });
        continue;
      }
      slot = free_slots_.back();
      free_slots_.pop_back();
    }
    auto lease = scheduler_.Acquire(absl::StrCat(options_.worker_prefix, slot), "");
    if (!lease.ok() || !lease->has_value()) {
      {
        std::lock_guard lock(mu_);
        free_slots_.push_back(slot);
      }
      if (!lease.ok()) log::Warn("embedded slot ", slot, ": cannot lease a trial: ", lease.status().message());
      scheduler_.WaitForWork(std::chrono::milliseconds(200));
      continue;
    }
    auto stop = std::make_shared<std::atomic<bool>>(false);
    {
      std::lock_guard lock(mu_);
      in_flight_[slot] = (*lease)->key();
      stop_flags_[slot] = stop;
    }
    auto shared = std::make_shared<const v1::Lease>(std::move(**lease));
    arena_->enqueue([this, shared, slot] { Run(*shared, slot); });
  }
}

void EmbeddedPool::Run(const v1::Lease& lease, int slot) {
  std::shared_ptr<std::atomic<bool>> stop;
  {
    std::lock_guard lock(mu_);
    stop = stop_flags_[slot];
  }
  Sink sink(scheduler_, lease.key(), stop);
  runtime::RunnerOptions options;
  options.memory_limit_bytes = options_.memory_limit_bytes;
  options.abort = &abort_;
  try {
    runtime::RunLease(lease, datasets_, options, sink);
  } catch (const std::exception& e) {
    sink.OnFail(absl::StrCat("internal error: ", e.what()), true);
  }
  {
    std::lock_guard lock(mu_);
    in_flight_.erase(slot);
    stop_flags_.erase(slot);
    free_slots_.push_back(slot);
  }
  cv_.notify_all();
}

void EmbeddedPool::Heartbeat() {
  std::map<int, v1::LeaseKey> keys;
  {
    std::lock_guard lock(mu_);
    keys = in_flight_;
  }
  for (const auto& [slot, key] : keys) {
    v1::ReportProgressRequest req;
    *req.mutable_key() = key;
    auto reply = scheduler_.Report(req);
    if (!reply.ok() || reply->directive == v1::STOP) {
      std::lock_guard lock(mu_);
      auto it = stop_flags_.find(slot);
      if (it != stop_flags_.end() && in_flight_.count(slot) && in_flight_[slot].attempt() == key.attempt() &&
          in_flight_[slot].sweep_id() == key.sweep_id() && in_flight_[slot].index() == key.index()) {
        it->second->store(true);
      }
    }
  }
}

bool EmbeddedPool::WaitIdle(std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mu_);
  return cv_.wait_until(lock, until, [&] { return in_flight_.empty(); });
}

bool EmbeddedPool::Stop(std::chrono::milliseconds grace, std::chrono::milliseconds hard) {
  stopping_ = true;
  cv_.notify_all();
  if (driver_.joinable()) driver_.join();
  const auto start = std::chrono::steady_clock::now();
  if (WaitIdle(start + grace)) return true;
  log::Info("shutdown: ", busy(), " trials still running; stopping them at their next epoch");
  abort_ = true;
  if (WaitIdle(start + grace + hard)) return true;
  scheduler_.HandBack(options_.worker_prefix, "the server is shutting down");
  return false;
}

}  // namespace hpsearch::scheduler
