#include "worker/runtime/slot_pool.h"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <deque>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/util/failpoint.h"
#include "common/util/log.h"
#include "worker/runtime/lease_runner.h"

namespace hpsearch::runtime {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds HeartbeatInterval(int64_t lease_ms) {
  return std::chrono::milliseconds(std::clamp<int64_t>(lease_ms / 3, 50, 5000));
}

// Routes one trial's reports to the source.
class SlotPool::Sink : public TrialSink {
 public:
  Sink(SlotPool& pool, int slot, LeaseKey key, std::shared_ptr<std::atomic<bool>> stop)
      : pool_(pool), slot_(slot), key_(std::move(key)), stop_(std::move(stop)) {}

  bool OnEpoch(const EpochMetrics& epoch, const ActivationStats& stats) override {
    if (stop_->load()) return false;
    EpochReport report{key_, epoch, stats};
    report.parameter_count = parameter_count_;
    unsent_.push_back(std::move(report));
    failpoint::Point("slot.epoch.before_report");
    return SendUnsent();
  }

  void OnComplete(const TrialResult& result) override {
    TrialResult done = result;
    done.key = key_;
    // Every epoch goes in before the result: a curve with holes would mislead the
    // pruners and the user.
    while (!unsent_.empty()) {
      auto reply = Retrying([&] { return pool_.source_.Report(unsent_.front()).status(); });
      if (!reply.ok()) break;  // the lease is gone: the completion is refused too
      unsent_.pop_front();
    }
    failpoint::Point("slot.complete.before_report");
    auto st = Retrying([&] { return pool_.source_.Complete(done); });
    failpoint::Point("slot.complete.after_report");
    if (!st.ok()) Warn("completion", st);
  }

  void OnParameterCount(int64_t count) override { parameter_count_ = count; }

  void OnOutput(const std::vector<OutputChunk>& chunks) override {
    // Output is shipped as it comes and not kept for a retry: a source that cannot
    // take it now loses that much of the log, nothing else.
    auto reply = pool_.source_.Report(EpochReport{key_, std::nullopt, std::nullopt, chunks});
    if (reply.ok()) {
      pool_.Heard(slot_, reply->lease_ms);
      if (reply->stop) stop_->store(true);
    }
  }

  void OnFail(const std::string& reason, bool permanent) override {
    const TrialFailure failure{key_, reason, permanent};
    if (auto st = Retrying([&] { return pool_.source_.Fail(failure); }); !st.ok()) Warn("failure report", st);
  }

 private:
  // While the source cannot record the report yet (UNAVAILABLE: its database is
  // failing, or it is restarting), the slot keeps the result and asks again.
  template <typename Call>
  absl::Status Retrying(Call call) {
    const auto until = Clock::now() + pool_.options_.report_retry;
    std::chrono::milliseconds backoff(100);
    for (;;) {
      absl::Status st = call();
      if (st.code() != absl::StatusCode::kUnavailable || pool_.abort_.load() || Clock::now() + backoff > until) {
        return st;
      }
      pool_.Heard(slot_, 0);  // the source is alive and holds the lease for us
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
  }

  // Sends the epochs not yet acknowledged, oldest first. False: stop training (the
  // trial was stopped, or its lease is gone). While the source is unreachable
  // (UNAVAILABLE) they stay queued and training goes on: they go with the next
  // epoch's report or before the completion.
  bool SendUnsent() {
    while (!unsent_.empty()) {
      auto reply = pool_.source_.Report(unsent_.front());
      if (!reply.ok() && reply.status().code() == absl::StatusCode::kInvalidArgument) {
        // A report the source refuses (a command's epoch past the trial's epochs, a
        // bad metric name): the trial fails with why, rather than running on unheard.
        unsent_.clear();
        OnFail(absl::StrCat("invalid report: ", reply.status().message()), true);
        return false;
      }
      if (!reply.ok()) return reply.status().code() == absl::StatusCode::kUnavailable;
      unsent_.pop_front();
      pool_.Heard(slot_, reply->lease_ms);
      if (reply->stop) return false;
    }
    return true;
  }

  void Warn(const char* what, const absl::Status& st) {
    // A stale lease is expected after a cancel or a shutdown hand-back.
    if (st.code() != absl::StatusCode::kFailedPrecondition) {
      log::Warn("trial ", key_.sweep_id, "/", key_.index, ": ", what, " not recorded: ", st.message());
    }
  }

  SlotPool& pool_;
  int slot_;
  LeaseKey key_;
  std::shared_ptr<std::atomic<bool>> stop_;
  std::deque<EpochReport> unsent_;  // reported but not acknowledged, oldest first
  int64_t parameter_count_ = 0;     // the network's, sent with every epoch (0: not known)
};

SlotPool::SlotPool(TrialSource& source, data::DatasetCache& datasets, PoolOptions options)
    : source_(source), datasets_(datasets), options_(std::move(options)) {
  options_.slots = std::max(1, options_.slots);
  const int spare = std::min(options_.max_step_threads, options_.slots);
  // oneTBB sizes its thread pool to the cores; the arena needs one thread per slot,
  // the spare-core arena its helpers beside them.
  parallelism_ = std::make_unique<tbb::global_control>(
      tbb::global_control::max_allowed_parallelism,
      std::max<std::size_t>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism),
                            static_cast<std::size_t>(options_.slots + std::max(spare, 1))));
  arena_ = std::make_unique<tbb::task_arena>(options_.slots, 0);
  if (spare >= 2) spare_ = std::make_unique<StepParallelism>(spare);
}

SlotPool::~SlotPool() {
  if (driver_.joinable()) Stop(std::chrono::milliseconds(0), std::chrono::seconds(30));
}

void SlotPool::Start() {
  {
    std::lock_guard lock(mu_);
    live_slots_ = options_.slots;
    free_cores_ = options_.slots;
  }
  // One long-running task per slot: each slot leases, trains and reports on its own
  // thread, so a trial never waits for a hand-off between threads.
  for (int slot = 0; slot < options_.slots; ++slot) {
    arena_->enqueue([this, slot] { SlotLoop(slot); });
  }
  driver_ = std::thread([this] { HeartbeatLoop(); });
}

int SlotPool::busy() const { return running_.load(); }

void SlotPool::Heard(int slot, int64_t lease_ms) {
  bool sooner = false;
  {
    std::lock_guard lock(mu_);
    auto it = in_flight_.find(slot);
    if (it == in_flight_.end()) return;
    it->second.heard = Clock::now();
    if (lease_ms > 0) it->second.lease_ms = lease_ms;
    // Only when the source shortened the lease (a server restarted with a shorter
    // --lease): the heartbeat thread may be asleep until past the new deadline.
    sooner = it->second.heard + HeartbeatInterval(it->second.lease_ms) < heartbeat_due_;
  }
  if (sooner) heartbeat_cv_.notify_one();
}

void SlotPool::HeartbeatLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    // Wake for the trial whose lease needs a word soonest, or when a trial starts
    // whose lease needs one sooner still (it may be short).
    heartbeat_due_ = Clock::now() + std::chrono::seconds(5);
    for (const auto& [slot, f] : in_flight_) {
      heartbeat_due_ = std::min(heartbeat_due_, f.heard + HeartbeatInterval(f.lease_ms));
    }
    heartbeat_cv_.wait_until(lock, heartbeat_due_);
    if (stopping_) break;
    if (Clock::now() < heartbeat_due_) continue;  // woken early: a new, nearer deadline
    lock.unlock();
    Heartbeat();
    lock.lock();
  }
}

int SlotPool::ClaimCore() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stopping_ || free_cores_ >= 1; });
  if (stopping_) return 0;
  --free_cores_;
  return 1 + free_cores_;
}

void SlotPool::TakeCores(int n) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return free_cores_ >= n; });
  free_cores_ -= n;
}

void SlotPool::ReturnCores(int n) {
  {
    std::lock_guard lock(mu_);
    free_cores_ += n;
  }
  cv_.notify_all();
}

void SlotPool::SlotLoop(int slot) {
  const std::string worker = absl::StrCat(options_.worker_prefix, slot);
  // The slot's command trials start through one launcher, started at the first of
  // them and closed (killing anything left) when the slot ends.
  std::optional<Launcher> launcher;
  if (options_.commands) launcher.emplace(options_.commands->launcher);
  while (!stopping_) {
    const int offer = ClaimCore();
    if (offer == 0) break;
    auto lease = source_.Acquire(worker, "", WorkerCapacity{options_.commands.has_value(), offer});
    if (!lease.ok() || !lease->has_value()) {
      ReturnCores(1);
      if (!lease.ok()) log::Warn("slot ", slot, ": cannot lease a trial: ", lease.status().message());
      source_.WaitForWork(std::chrono::milliseconds(200));
      continue;
    }
    const int cores = (*lease)->command ? std::max((*lease)->command->slots, 1) : 1;
    if (cores > 1) TakeCores(cores - 1);
    auto stop = std::make_shared<std::atomic<bool>>(false);
    bool sooner = false;
    {
      std::lock_guard lock(mu_);
      const auto now = Clock::now();
      in_flight_[slot] = InFlight{(*lease)->key, stop, (*lease)->lease_ms, now};
      running_ = static_cast<int>(in_flight_.size());
      sooner = now + HeartbeatInterval((*lease)->lease_ms) < heartbeat_due_;
    }
    if (sooner) heartbeat_cv_.notify_one();
    Run(**lease, slot, launcher ? &*launcher : nullptr, stop);
    {
      std::lock_guard lock(mu_);
      in_flight_.erase(slot);
      running_ = static_cast<int>(in_flight_.size());
    }
    ReturnCores(cores);
  }
  source_.Leave(worker);
  {
    std::lock_guard lock(mu_);
    --live_slots_;
  }
  cv_.notify_all();
}

void SlotPool::Run(const Lease& lease, int slot, Launcher* launcher, std::shared_ptr<std::atomic<bool>> stop) {
  RunnerOptions options;
  options.launcher = launcher;
  options.memory_limit_bytes = options_.memory_limit_bytes;
  options.abort = &abort_;
  options.stop = stop.get();
  if (options_.commands) options.commands = &*options_.commands;
  Sink sink(*this, slot, lease.key, std::move(stop));
  if (spare_) {
    // The spare cores while this trial runs alone (a second trial starting takes them
    // back at the next step; the numbers are the same either way).
    options.step_threads = [this] { return running_.load() <= 1 ? spare_->Threads() : nn::StepThreads{}; };
  }
  try {
    RunLease(lease, datasets_, options, sink);
  } catch (const std::exception& e) {
    log::Error("slot ", slot, ": trial ", lease.key.sweep_id, "/", lease.key.index, ": ", e.what());
    sink.OnFail(absl::StrCat("internal error: ", e.what()), true);
  }
}

void SlotPool::Heartbeat() {
  // Trials not heard from within their interval get a bare report (an epoch longer
  // than the interval would otherwise let the lease lapse).
  std::map<int, LeaseKey> due;
  {
    std::lock_guard lock(mu_);
    const auto now = Clock::now();
    for (const auto& [slot, f] : in_flight_) {
      if (now >= f.heard + HeartbeatInterval(f.lease_ms)) due.emplace(slot, f.key);
    }
  }
  for (const auto& [slot, key] : due) {
    auto reply = source_.Report(EpochReport{key, std::nullopt, std::nullopt});
    if (reply.ok()) Heard(slot, reply->lease_ms);
    if (!reply.ok() || reply->stop) {
      std::lock_guard lock(mu_);
      auto it = in_flight_.find(slot);
      if (it != in_flight_.end() && it->second.key == key) {
        // Unreachable or refused: keep trying at the next interval unless told to stop.
        if (reply.ok() || reply.status().code() != absl::StatusCode::kUnavailable) it->second.stop->store(true);
      }
    }
  }
}

bool SlotPool::WaitIdle(Clock::time_point until) {
  std::unique_lock lock(mu_);
  return cv_.wait_until(lock, until, [&] { return live_slots_ == 0; });
}

bool SlotPool::Stop(std::chrono::milliseconds grace, std::chrono::milliseconds hard) {
  {
    std::lock_guard lock(mu_);  // a slot waiting for a core sees it
    stopping_ = true;
  }
  cv_.notify_all();
  heartbeat_cv_.notify_all();
  source_.Wake();  // idle slots see stopping_ and leave
  if (driver_.joinable()) driver_.join();
  const auto start = Clock::now();
  if (WaitIdle(start + grace)) return true;
  log::Info("shutdown: ", busy(), " trials still running; stopping them at their next epoch");
  abort_ = true;
  return WaitIdle(start + grace + hard);
}

}  // namespace hpsearch::runtime
