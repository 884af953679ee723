// Which workers are there: every slot that called in within one lease, grouped by
// worker, with the trials it holds. `hpsearch workers` shows it; `status` uses it to
// say that nothing can run when no worker is connected.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/scheduler/scheduler.h"

namespace hpsearch::scheduler {

namespace {

std::string WorkerName(const std::string& slot, const std::string& embedded_prefix, bool* embedded) {
  *embedded = slot.rfind(embedded_prefix, 0) == 0;
  if (*embedded) return "embedded";
  const auto cut = slot.rfind('/');
  return cut == std::string::npos ? slot : slot.substr(0, cut);
}

}  // namespace

// Worker slot ids kept before quiet ones are forgotten on the next call.
constexpr std::size_t kMaxSeenSlots = 10'000;

void Scheduler::Seen(const std::string& slot) {
  seen_[slot] = mono_ms();
  if (seen_.size() > kMaxSeenSlots) ForgetQuietWorkers();
}

void Scheduler::ForgetQuietWorkers() {
  const int64_t mono = mono_ms();
  std::erase_if(seen_, [&](const auto& kv) { return mono - kv.second > options_.lease_ms; });
}

absl::Status Scheduler::Leave(const std::string& worker_id) {
  if (worker_id.empty() || worker_id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("worker_id: 1 to ", kMaxIdBytes, " bytes"));
  }
  Lock lock(mu_);
  seen_.erase(worker_id);
  return absl::OkStatus();
}

std::vector<WorkerInfo> Scheduler::Workers() {
  Lock lock(mu_);
  const int64_t mono = mono_ms(), wall = now_ms();
  ForgetQuietWorkers();
  std::map<std::string, WorkerInfo> by_name;
  auto of = [&](const std::string& slot) -> WorkerInfo& {
    bool embedded = false;
    const std::string name = WorkerName(slot, options_.embedded_prefix, &embedded);
    WorkerInfo& w = by_name[name];
    w.name = name;
    w.embedded = embedded;
    return w;
  };
  for (const auto& [slot, at] : seen_) {
    WorkerInfo& w = of(slot);
    w.slots.push_back(slot);
    w.last_seen_ms = std::max(w.last_seen_ms, wall - (mono - at));
  }
  for (const auto& [rowid, s] : active_) {
    for (const auto& [index, r] : s->running) {
      if (!seen_.contains(r.trial.worker)) continue;  // its worker went quiet: the lease will tell
      of(r.trial.worker).running.push_back(LeaseKey{s->id, index, r.trial.attempt});
    }
  }
  std::vector<WorkerInfo> out;
  for (auto& [name, w] : by_name) out.push_back(std::move(w));
  return out;
}

}  // namespace hpsearch::scheduler
