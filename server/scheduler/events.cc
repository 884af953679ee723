// Watchers: each registered listener gets its sweep's events, in order, under the
// scheduler's lock (listeners only queue).
#include "scheduler/scheduler.h"
#include "util/value_json.h"

namespace hpsearch::scheduler {

namespace v1 = hpsearch::v1;

void Scheduler::EmitTrial(const SweepState& s, int64_t index, v1::TrialStatus status, const RunningTrial* r,
                          const std::string& reason, const std::map<std::string, double>* metrics) {
  if (!Watched(s.rowid)) return;
  v1::SweepEvent event;
  const int64_t now = now_ms();
  event.set_time_ms(now);
  auto* t = event.mutable_trial();
  t->set_sweep_id(s.id);
  t->set_index(index);
  t->set_status(status);
  if (r) {
    for (const auto& [k, v] : r->params.items()) (*t->mutable_params())[k] = JsonToValue(v);
    t->set_seed(r->seed);
    t->set_attempt(r->attempt);
    t->set_worker(r->worker);
    t->set_started_ms(r->started_ms);
  }
  if (status != v1::RUNNING && status != v1::PENDING) t->set_finished_ms(now);
  if (metrics) {
    for (const auto& [k, v] : *metrics) (*t->mutable_metrics())[k] = v;
    auto it = metrics->find(s.metric);
    if (it != metrics->end()) t->set_objective(it->second);
  }
  t->set_failure_reason(reason);
  *event.mutable_sweep() = SweepProto(s, false);
  Emit(s, std::move(event));
}

void Scheduler::Emit(const SweepState& s, v1::SweepEvent event) {
  auto range = watchers_by_sweep_.equal_range(s.rowid);
  for (auto it = range.first; it != range.second; ++it) {
    auto w = watchers_.find(it->second);
    if (w != watchers_.end()) w->second.listener(event);
  }
}

void Scheduler::DropWatchers(int64_t rowid) {
  auto range = watchers_by_sweep_.equal_range(rowid);
  for (auto it = range.first; it != range.second; ++it) watchers_.erase(it->second);
  watchers_by_sweep_.erase(rowid);
}

absl::StatusOr<Scheduler::Watch> Scheduler::StartWatch(const std::string& sweep, Listener listener) {
  auto rec = Resolve(sweep);
  if (!rec.ok()) return rec.status();
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError("the server is starting (recovering sweeps); retry");
  Watch w;
  if (const SweepState* s = Active(rec->rowid)) {
    w.snapshot = SweepProto(*s, true);
    w.snapshot.set_name(rec->sweep.name());
    w.id = next_watch_++;
    watchers_.emplace(w.id, Watcher{rec->rowid, std::move(listener)});
    watchers_by_sweep_.emplace(rec->rowid, w.id);
    return w;
  }
  // Finished, possibly between the lookup and the lock: its final record.
  auto final_state = Current(*rec, lock);
  if (!final_state.ok()) return final_state.status();
  w.snapshot = *std::move(final_state);
  *w.snapshot.mutable_spec() = rec->sweep.spec();
  return w;
}

void Scheduler::StopWatch(uint64_t id) {
  Lock lock(mu_);
  auto it = watchers_.find(id);
  if (it == watchers_.end()) return;
  auto range = watchers_by_sweep_.equal_range(it->second.sweep);
  for (auto r = range.first; r != range.second; ++r) {
    if (r->second == id) {
      watchers_by_sweep_.erase(r);
      break;
    }
  }
  watchers_.erase(it);
}

}  // namespace hpsearch::scheduler
