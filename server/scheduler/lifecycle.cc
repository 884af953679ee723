// Time and shutdown: lease expiry and max_duration (Tick), draining, handing trials
// back, and waiting for work.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/scheduler/scheduler.h"

namespace hpsearch::scheduler {

void Scheduler::Tick() {
  static const Commit kDeadline{"scheduler.deadline.before_commit", "scheduler.deadline.after_commit"};
  Lock lock(mu_);
  if (!recovered_) return;
  const int64_t mono = mono_ms();
  std::vector<int64_t> ids;
  for (const auto& [rowid, s] : active_) ids.push_back(rowid);
  for (int64_t rowid : ids) {
    SweepState* s = Active(rowid);
    if (!s) continue;
    std::vector<int64_t> expired;
    for (const auto& [index, r] : s->running) {
      if (r.expires_mono <= mono) expired.push_back(index);
    }
    for (int64_t index : expired) {
      if (!(s = Active(rowid)) || !s->running.count(index)) break;
      const std::string worker = s->running.at(index).trial.worker;
      (void)LoseLease(*s, index, absl::StrCat("lease expired (worker ", worker, ")"), true);
    }
    if ((s = Active(rowid)) && s->deadline_mono > 0 && mono >= s->deadline_mono && !s->ending) {
      const Ending ending{
          SweepStatus::kCompleted,
          absl::StrCat("max_duration of ", absl::StrFormat("%.6g", s->spec.budget.max_duration_seconds), "s reached"),
          true};
      (void)EndSweep(*s, ending, kDeadline);
    }
    // A sweep whose end could not be written earlier (the store was failing).
    if ((s = Active(rowid))) (void)FinishIfDone(*s);
  }
  lock.unlock();
  work_cv_.notify_all();
}

void Scheduler::Drain() {
  {
    Lock lock(mu_);
    draining_ = true;
  }
  work_cv_.notify_all();
}

void Scheduler::WaitForWork(std::chrono::milliseconds timeout) {
  Lock lock(mu_);
  work_cv_.wait_for(lock, timeout);
}

void Scheduler::HandBack(const std::string& worker_prefix, const std::string& why) {
  Lock lock(mu_);
  std::vector<std::pair<int64_t, int64_t>> victims;
  for (const auto& [rowid, s] : active_) {
    for (const auto& [index, r] : s->running) {
      if (absl::StartsWith(r.trial.worker, worker_prefix)) victims.emplace_back(rowid, index);
    }
  }
  for (auto [rowid, index] : victims) {
    if (SweepState* s = Active(rowid); s && s->running.count(index)) {
      (void)LoseLease(*s, index, absl::StrCat("handed back: ", why), false);
    }
  }
}

}  // namespace hpsearch::scheduler
