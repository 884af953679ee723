// A TrialSource the test controls: hands out the leases it was given, records every
// call, and can answer UNAVAILABLE, stop a trial, or hold an epoch report until the
// test (or a heartbeat) lets it go. No clock: waits are on condition variables.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/protocol/trial_source.h"

namespace hpsearch::runtime::test {

// A tiny xor trial (a few ms): hidden [4], `epochs` epochs.
inline Lease TinyLease(int64_t index, int epochs = 2) {
  Lease l;
  l.key = {"s-000001", index, 1};
  l.dataset.name = "xor";
  l.dataset.samples = 64;
  l.dataset.test = 0.25;
  l.params = {
      {"epochs", Value(int64_t{epochs})}, {"hidden", Value(Value::List{Value(int64_t{4})})}, {"lr", Value(0.05)}};
  l.seed = 7 + static_cast<uint64_t>(index);
  l.lease_ms = 30'000;
  l.objective_metric = "val_loss";
  return l;
}

class FakeSource : public TrialSource {
 public:
  explicit FakeSource(std::vector<Lease> leases) : leases_(leases.begin(), leases.end()) {}

  // ------------------------------------------------------------ the protocol
  absl::StatusOr<std::optional<Lease>> Acquire(const std::string& worker_id, const std::string&,
                                               const WorkerCapacity& capacity) override {
    std::lock_guard lock(mu_);
    workers_.insert(worker_id);
    capacities_.push_back(capacity);
    if (leases_.empty()) return std::optional<Lease>();
    Lease l = leases_.front();
    leases_.pop_front();
    return std::optional<Lease>(l);
  }

  absl::StatusOr<ReportReply> Report(const EpochReport& r) override {
    std::unique_lock lock(mu_);
    if (!r.epoch) {
      ++heartbeats_[r.key.index];
      cv_.notify_all();
      return ReportReply{false, "", 0, lease_ms_};
    }
    if (unavailable_reports_ > 0) {
      --unavailable_reports_;  // not taken: the slot must send it again
      return absl::UnavailableError("store unavailable");
    }
    epochs_[r.key.index].push_back(r.epoch->epoch);
    cv_.notify_all();
    if (hold_epochs_ && r.epoch->epoch >= hold_from_epoch_) {
      ++held_;
      cv_.notify_all();
      const bool released = cv_.wait_for(lock, std::chrono::seconds(60), [&] {
        return !hold_epochs_ || r.epoch->epoch < hold_from_epoch_ ||
               (release_on_heartbeat_ && heartbeats_[r.key.index] > 0);
      });
      --held_;
      if (!released) return absl::DeadlineExceededError("never released");
    }
    if (stop_at_epoch_ > 0 && r.epoch->epoch >= stop_at_epoch_) return ReportReply{true, "pruned", 0, lease_ms_};
    return ReportReply{false, "", 0, lease_ms_};
  }

  absl::Status Complete(const TrialResult& r) override {
    std::lock_guard lock(mu_);
    ++complete_calls_;
    if (unavailable_completes_ > 0) {
      --unavailable_completes_;
      return absl::UnavailableError("database is full");
    }
    completed_.push_back(r);
    cv_.notify_all();
    return absl::OkStatus();
  }

  absl::Status Fail(const TrialFailure& f) override {
    std::lock_guard lock(mu_);
    failed_.push_back(f);
    cv_.notify_all();
    return absl::OkStatus();
  }

  void WaitForWork(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return woken_ || !leases_.empty(); });
  }
  void Wake() override {
    std::lock_guard lock(mu_);
    woken_ = true;
    cv_.notify_all();
  }

  // ------------------------------------------------------------ the test's side
  void Add(const Lease& l) {
    std::lock_guard lock(mu_);
    leases_.push_back(l);
    cv_.notify_all();
  }
  // Blocks until `done(*this)` holds (checked under the lock), or 60 s.
  template <typename Pred>
  bool WaitUntil(Pred done) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60), [&] { return done(*this); });
  }
  // Epoch reports from `from_epoch` on wait until released (or, with
  // `until_heartbeat`, until a bare heartbeat for the same trial arrives); a held
  // report of an earlier epoch than a new `from_epoch` goes on.
  void HoldEpochs(bool until_heartbeat, int from_epoch = 0) {
    std::lock_guard lock(mu_);
    hold_epochs_ = true;
    release_on_heartbeat_ = until_heartbeat;
    hold_from_epoch_ = from_epoch;
    cv_.notify_all();
  }
  void Release() {
    std::lock_guard lock(mu_);
    hold_epochs_ = false;
    cv_.notify_all();
  }

  // Guarded by the source's lock: read inside WaitUntil, or once the pool stopped.
  std::deque<Lease> leases_;
  std::set<std::string> workers_;
  std::map<int64_t, std::vector<int>> epochs_;  // epoch numbers reported, by trial
  std::map<int64_t, int> heartbeats_;
  std::vector<TrialResult> completed_;
  std::vector<TrialFailure> failed_;
  int complete_calls_ = 0;
  int unavailable_completes_ = 0;
  int unavailable_reports_ = 0;
  int stop_at_epoch_ = 0;
  int64_t lease_ms_ = 30'000;
  int held_ = 0;                            // epoch reports being held now
  std::vector<WorkerCapacity> capacities_;  // what each Acquire offered

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool hold_epochs_ = false;
  bool release_on_heartbeat_ = false;
  int hold_from_epoch_ = 0;
};

}  // namespace hpsearch::runtime::test
