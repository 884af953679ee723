// How trials and sweeps end: one event, one transaction.
//
// An event (a trial completes, fails or loses its lease; a user stops or cancels; a
// budget runs out) has its effects worked out from memory first — which other trials
// it stops, whether the sweep starts ending, whether the sweep is over — then they are
// written in the event's own transaction, and only after the commit applied to
// memory. So a crash never separates a cause from its effect (a cancel from the
// sweep's end, a lost lease from its cancellation in a stopping sweep).
#include <chrono>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/util/failpoint.h"
#include "common/util/log.h"
#include "server/scheduler/scheduler.h"

namespace hpsearch::scheduler {

using store::WriteTxn;

void FlushEpochs(WriteTxn& w, const RunningTrial& r) {
  for (const auto& e : r.unflushed) w.InsertEpoch(r.trial.trial_id, e.metrics, e.stats ? &*e.stats : nullptr);
  // The network's size as its epochs reported it: kept whether or not it completes.
  if (!r.unflushed.empty() && r.trial.parameter_count > 0) {
    w.SetParameterCount(r.trial.trial_id, r.trial.parameter_count);
  }
}

namespace {

std::string Num(double v) { return absl::StrFormat("%.6g", v); }

}  // namespace

absl::Status Scheduler::Write(const Commit& points, const std::function<void(WriteTxn&)>& body) {
  const auto began = std::chrono::steady_clock::now();
  auto st = store_.Write([&](WriteTxn& w) {
    body(w);
    failpoint::Point(points.before);
    return absl::OkStatus();
  });
  if (options_.metrics) {
    options_.metrics->StoreCommitted(std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  }
  if (!st.ok()) {
    if (failed_writes_++ == 0) {
      failing_since_ms_ = now_ms();
      log::Error("cannot write the database: ", st.message(),
                 "; changes wait in memory and workers keep their results until it can be written");
    } else {
      log::Debug("database write failed again (", failed_writes_, "): ", st.message());
    }
    return st;
  }
  if (failed_writes_ > 0) {
    log::Info("the database is writable again after ", failed_writes_, " failed writes over ",
              (now_ms() - failing_since_ms_) / 1000, " s");
    failed_writes_ = 0;
  }
  failpoint::Point(points.after);
  return absl::OkStatus();
}

Scheduler::Effects Scheduler::EffectsOf(const SweepState& s, int64_t leaving, bool requeued, const Ending* ending,
                                        const store::TrialCounts& done_after, const std::string& failure) const {
  Effects p;
  p.begin = ending != nullptr && !s.ending;
  // A cancel of a stopping sweep: it now ends as cancelled, with the cancel's reason.
  p.overrides = ending != nullptr && s.ending && ending->stop_running;
  if (ending) p.ending = *ending;
  if (ending && ending->stop_running) {
    for (const auto& [index, r] : s.running) {
      if (index != leaving) p.stop.push_back(index);
    }
  }
  const bool ending_after = s.ending || p.begin;
  // Nothing new starts in an ending sweep: what waits in the queue is cancelled.
  p.cancel_pending = p.begin || (ending_after && !s.queued.empty());
  const size_t running_after = s.running.size() - (leaving >= 0 ? 1 : 0) - p.stop.size();
  const bool queue_after = !ending_after && (!s.queued.empty() || requeued);
  const bool unstarted_after = !ending_after && s.next_index < s.total;
  p.finish = running_after == 0 && !queue_after && !unstarted_after;
  if (!p.finish) return p;
  if (ending_after) {
    const bool by_this = p.begin || p.overrides;
    p.final_status = by_this ? ending->status : s.end_status;
    p.final_reason = by_this ? ending->reason : s.end_reason;
  } else if (done_after.completed == 0 && done_after.failed > 0) {
    p.final_status = SweepStatus::kFailed;
    p.final_reason = absl::StrCat("every trial failed; last: ", failure.empty() ? s.last_failure : failure);
  } else {
    p.final_status = SweepStatus::kCompleted;
    p.final_reason = s.strategy->note();
  }
  return p;
}

void Scheduler::WriteEffects(WriteTxn& w, const SweepState& s, const Effects& p, int64_t now) const {
  const bool by_this = p.begin || p.overrides;
  const std::string& reason = by_this ? p.ending.reason : s.end_reason;
  if (p.cancel_pending) w.CancelPendingTrials(s.rowid, reason, now);
  for (int64_t index : p.stop) {
    const RunningTrial& r = s.running.at(index);
    FlushEpochs(w, r);
    w.EndTrial(r.trial.trial_id, r.trial.attempt, TrialStatus::kCancelled, p.ending.reason, now);
  }
  if (p.finish) {
    w.FinishSweep(s.rowid, p.final_status, p.final_reason, s.total, s.total - s.next_index, now);
  } else if (by_this) {
    w.MarkStopping(s.rowid, p.ending.status, p.ending.reason);
  }
}

bool Scheduler::ApplyEffects(SweepState& s, const Effects& p) {
  // The planned trials never created stay not_started (LiveRecord: total - next_index):
  // they have no rows, so they are not counted as cancelled.
  if (p.begin || p.overrides) {
    s.ending = true;
    s.end_status = p.ending.status;
    s.end_reason = p.ending.reason;
  }
  if (p.cancel_pending) {
    s.done.cancelled += static_cast<int64_t>(s.queued.size());
    for (const auto& [index, q] : s.queued) EmitTrial(s, q, TrialStatus::kCancelled, s.end_reason, nullptr);
    s.queued.clear();
  }
  for (int64_t index : p.stop) {
    RunningTrial r = std::move(s.running.at(index));
    s.running.erase(index);
    s.done.cancelled += 1;
    s.strategy->Observe(Observed(r.trial, search::TrialState::kFailed));
    if (s.pruner) s.pruner->Finished(index, false);
    EmitTrial(s, r.trial, TrialStatus::kCancelled, p.ending.reason, nullptr);
  }
  if (p.begin || !p.stop.empty()) {
    log::Info("sweep ", s.id, ": ", p.ending.reason, p.finish || s.running.empty() ? "" : "; running trials finish");
  }
  if (!p.finish) return false;

  const int64_t now = now_ms();
  SweepEvent event;
  event.time_ms = now;
  event.sweep = LiveRecord(s, false);
  event.sweep.counts.pending = 0;
  event.sweep.counts.running = 0;
  event.sweep.status = p.final_status;
  event.sweep.status_reason = p.final_reason;
  event.sweep.finished_ms = now;
  log::Info("sweep ", s.id, " ", Name(p.final_status), ": ", s.done.completed, " completed, ", s.done.failed,
            " failed, ", s.done.pruned, " pruned, ", s.done.cancelled, " cancelled",
            s.total > s.next_index ? absl::StrCat(", ", s.total - s.next_index, " never started") : "",
            s.best ? absl::StrCat("; best ", s.metric, " ", Num(*s.best), " (trial ", s.best_trial, ")") : "",
            p.final_reason.empty() ? "" : absl::StrCat(" — ", p.final_reason));
  events_.Emit(s.rowid, event);
  const int64_t rowid = s.rowid;
  events_.RemoveAll(rowid);
  active_.erase(rowid);  // s is gone
  work_cv_.notify_all();
  return true;
}

absl::Status Scheduler::EndSweep(SweepState& s, const Ending& ending, const Commit& points) {
  const Effects p = EffectsOf(s, -1, false, &ending, s.done, "");
  const int64_t now = now_ms();
  auto st = Write(points, [&](WriteTxn& w) { WriteEffects(w, s, p, now); });
  if (!st.ok()) return st;
  ApplyEffects(s, p);
  return absl::OkStatus();
}

absl::Status Scheduler::FinishIfDone(SweepState& s) {
  if (!s.running.empty() || s.has_work()) return absl::OkStatus();
  static const Commit kFinish{"scheduler.finish.before_commit", "scheduler.finish.after_commit"};
  const Effects p = EffectsOf(s, -1, false, nullptr, s.done, "");
  const int64_t now = now_ms();
  auto st = Write(kFinish, [&](WriteTxn& w) { WriteEffects(w, s, p, now); });
  if (!st.ok()) return st;  // Tick tries again
  ApplyEffects(s, p);
  return absl::OkStatus();
}

absl::Status Scheduler::FailTrial(SweepState& s, int64_t index, const std::string& reason,
                                  const std::map<std::string, double>* reported) {
  RunningTrial& r = s.running.at(index);
  store::TrialCounts done_after = s.done;
  done_after.failed += 1;
  const bool out_of_budget = s.max_failed > 0 && done_after.failed >= s.max_failed && !s.ending;
  const Ending budget{
      SweepStatus::kFailed,
      absl::StrCat(done_after.failed, " trials failed (budget.max_failed is ", s.max_failed, "); last: ", reason),
      true};
  const Effects p = EffectsOf(s, index, false, out_of_budget ? &budget : nullptr, done_after, reason);
  const int64_t now = now_ms();
  static const Commit kFail{"scheduler.fail.before_commit", "scheduler.fail.after_commit"};
  std::map<std::string, double> kept;
  if (reported) {
    for (const auto& [k, v] : *reported)
      if (std::isfinite(v)) kept.emplace(k, v);
  }
  auto st = Write(kFail, [&](WriteTxn& w) {
    FlushEpochs(w, r);
    if (!kept.empty()) w.KeepMetrics(r.trial.trial_id, kept);
    w.EndTrial(r.trial.trial_id, r.trial.attempt, TrialStatus::kFailed, reason, now);
    WriteEffects(w, s, p, now);
  });
  if (!st.ok()) return st;
  RunningTrial gone = std::move(r);
  s.running.erase(index);
  s.done = done_after;
  s.last_failure = reason;
  s.strategy->Observe(Observed(gone.trial, search::TrialState::kFailed));
  if (s.pruner) s.pruner->Finished(index, false);
  log::Info("trial ", s.id, "/", index, " failed: ", reason);
  EmitTrial(s, gone.trial, TrialStatus::kFailed, reason, nullptr);
  ApplyEffects(s, p);
  return absl::OkStatus();
}

absl::Status Scheduler::PruneTrial(SweepState& s, int64_t index, const std::string& reason, const EpochMetrics& last,
                                   double value) {
  RunningTrial& r = s.running.at(index);
  store::TrialCounts done_after = s.done;
  done_after.pruned += 1;
  const Effects p = EffectsOf(s, index, false, nullptr, done_after, "");
  const int64_t now = now_ms();
  static const Commit kPrune{"scheduler.prune.before_commit", "scheduler.prune.after_commit"};
  auto st = Write(kPrune, [&](WriteTxn& w) {
    FlushEpochs(w, r);
    w.PruneTrial(r.trial.trial_id, r.trial.attempt, reason, last.metrics, now);
    WriteEffects(w, s, p, now);
  });
  if (!st.ok()) return st;
  RunningTrial gone = std::move(r);
  s.running.erase(index);
  s.done = done_after;
  s.strategy->Observe(Observed(gone.trial, search::TrialState::kPruned, value, last.epoch));
  s.pruner->Finished(index, false);
  log::Debug("trial ", s.id, "/", index, " ", reason);
  EmitTrial(s, gone.trial, TrialStatus::kPruned, reason, &last.metrics);
  ApplyEffects(s, p);
  return absl::OkStatus();
}

const Scheduler::Commit Scheduler::kRecoverPoints{"scheduler.recover.before_commit", "scheduler.recover.after_commit"};

absl::Status Scheduler::LoseLease(SweepState& s, int64_t index, const std::string& outcome, bool counts,
                                  const Commit* points) {
  RunningTrial& r = s.running.at(index);
  const int32_t lost = r.trial.lost + (counts ? 1 : 0);
  // Counted once its consequence is written (a failed write is retried by the next Tick).
  auto counted = [&](absl::Status st) {
    if (st.ok() && counts && options_.metrics) options_.metrics->LeaseLost();
    return st;
  };
  if (counts && lost >= options_.max_attempts) {
    return counted(FailTrial(
        s, index,
        absl::StrCat("lost its lease ", lost, " times (max attempts ", options_.max_attempts, "); last: ", outcome)));
  }
  const int64_t now = now_ms();
  static const Commit kLoseLeasePoints{"scheduler.lose_lease.before_commit", "scheduler.lose_lease.after_commit"};
  const Commit& kLoseLease = points ? *points : kLoseLeasePoints;
  if (s.ending) {
    // Nothing new starts: instead of going back to the queue, the trial is cancelled
    // with the rest, in this same transaction.
    store::TrialCounts done_after = s.done;
    done_after.cancelled += 1;
    const Effects p = EffectsOf(s, index, false, nullptr, done_after, "");
    auto st = Write(kLoseLease, [&](WriteTxn& w) {
      FlushEpochs(w, r);
      w.EndTrial(r.trial.trial_id, r.trial.attempt, TrialStatus::kCancelled, s.end_reason, now, outcome);
      WriteEffects(w, s, p, now);
    });
    if (!counted(st).ok()) return st;
    RunningTrial gone = std::move(r);
    s.running.erase(index);
    s.done = done_after;
    s.strategy->Observe(Observed(gone.trial, search::TrialState::kFailed));
    if (s.pruner) s.pruner->Finished(index, false);
    log::Info("trial ", s.id, "/", index, " attempt ", gone.trial.attempt, " cancelled: ", outcome);
    EmitTrial(s, gone.trial, TrialStatus::kCancelled, s.end_reason, nullptr);
    ApplyEffects(s, p);
    return absl::OkStatus();
  }
  auto st =
      Write(kLoseLease, [&](WriteTxn& w) { w.RequeueTrial(r.trial.trial_id, r.trial.attempt, lost, outcome, now); });
  if (!counted(st).ok()) return st;
  RunningTrial gone = std::move(r);
  s.running.erase(index);
  s.strategy->Observe(Observed(gone.trial, search::TrialState::kWaiting));
  log::Info("trial ", s.id, "/", index, " attempt ", gone.trial.attempt, " back to pending: ", outcome);
  EmitTrial(s, gone.trial, TrialStatus::kPending, outcome, nullptr);
  store::TrialRecord next = std::move(gone.trial);
  next.attempt += 1;
  next.lost = lost;
  next.worker.clear();
  s.queued[index] = std::move(next);
  return absl::OkStatus();
}

}  // namespace hpsearch::scheduler
