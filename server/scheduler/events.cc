// The scheduler's side of watching: events built from its state and handed to the
// EventHub, and the atomic snapshot-plus-registration of StartWatch.
#include "server/scheduler/scheduler.h"

namespace hpsearch::scheduler {

void Scheduler::EmitTrial(const SweepState& s, const store::TrialRecord& trial, TrialStatus status,
                          const std::string& reason, const std::map<std::string, double>* metrics,
                          int64_t parameter_count) {
  if (options_.metrics && Finished(status)) {
    // Run time of a trial that ran to its end; a cancelled one was cut short (or never ran).
    const bool ran = status != TrialStatus::kCancelled && trial.started_ms > 0;
    options_.metrics->TrialEnded(Name(status),
                                 ran ? std::optional<double>((now_ms() - trial.started_ms) / 1000.0) : std::nullopt);
  }
  if (!events_.Watched(s.rowid)) return;
  SweepEvent event;
  const int64_t now = now_ms();
  event.time_ms = now;
  store::TrialRecord t;
  t.sweep_id = s.id;
  t.index = trial.index;
  t.status = status;
  t.params = trial.params;
  t.seed = trial.seed;
  t.attempt = trial.attempt;
  t.worker = trial.worker;
  t.started_ms = trial.started_ms;
  if (Finished(status)) t.finished_ms = now;
  if (metrics) {
    t.metrics = *metrics;
    auto it = metrics->find(s.metric);
    if (it != metrics->end() && status == TrialStatus::kCompleted) t.objective = it->second;
  }
  t.failure_reason = reason;
  t.parameter_count = parameter_count;
  event.trial = std::move(t);
  event.sweep = LiveRecord(s, false);
  events_.Emit(s.rowid, event);
}

void Scheduler::EmitEpoch(const SweepState& s, int64_t index, const EpochMetrics& metrics) {
  if (!events_.Watched(s.rowid)) return;
  SweepEvent event;
  event.time_ms = now_ms();
  event.epoch = SweepEvent::Epoch{index, metrics};
  event.sweep = LiveRecord(s, false);
  events_.Emit(s.rowid, event);
}

absl::StatusOr<Scheduler::Watch> Scheduler::StartWatch(const std::string& sweep, Listener listener) {
  auto rec = Resolve(sweep);
  if (!rec.ok()) return rec.status();
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError("the server is starting (recovering sweeps); retry");
  Watch w;
  if (const SweepState* s = Active(rec->rowid)) {
    w.snapshot = LiveRecord(*s, true);
    w.snapshot.name = rec->name;
    w.id = events_.Add(rec->rowid, std::move(listener));
    return w;
  }
  // Finished, possibly between the lookup and the lock: its final record.
  auto final_state = Current(*rec, lock);
  if (!final_state.ok()) return final_state.status();
  w.snapshot = *std::move(final_state);
  w.snapshot.spec = rec->spec;
  return w;
}

void Scheduler::StopWatch(uint64_t id) {
  Lock lock(mu_);
  events_.Remove(id);
}

}  // namespace hpsearch::scheduler
