// Restart: every unfinished sweep is rebuilt from the store and settled into the
// state it was heading for.
#include <new>
#include <stdexcept>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/util/log.h"
#include "server/scheduler/scheduler.h"

namespace hpsearch::scheduler {

using store::ReadTxn;
using store::WriteTxn;

absl::Status Scheduler::ResumeSweep(const store::SweepRecord& rec, ReadTxn& read) {
  auto state = LoadSweep(rec, read);
  if (!state.ok()) return state.status();
  SweepState& s = **state;
  log::Info("sweep ", s.id, " resumed: ", s.next_index, " of ", s.total, " trials started, ", s.done.completed,
            " completed, ", s.running.size(), " were running", s.ending ? " (stopping)" : "");
  active_.emplace(s.rowid, *std::move(state));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SweepState>> Scheduler::LoadSweep(const store::SweepRecord& rec, ReadTxn& read) {
  auto spec = DecodeSpec(rec.spec);
  if (!spec.ok()) return spec.status();
  auto state = std::make_unique<SweepState>();
  SweepState& s = *state;
  s.serial = ++sweep_serial_;
  s.rowid = rec.rowid;
  s.id = rec.id;
  s.spec = *std::move(spec);
  s.spec_bytes = rec.spec;
  s.metric = search::ObjectiveMetric(s.spec);
  s.maximize = rec.maximize;
  if (search::MultiObjective(s.spec)) s.objectives = search::ResolvedObjectives(s.spec);
  s.max_failed = s.spec.budget.max_failed;
  s.max_concurrent = s.spec.max_concurrent;
  s.created_ms = rec.created_ms;
  if (s.spec.budget.max_duration_seconds > 0) {
    // The deadline is wall-clock from the sweep's creation; from here on, monotonic.
    const int64_t left = s.created_ms + static_cast<int64_t>(s.spec.budget.max_duration_seconds * 1000) - now_ms();
    s.deadline_mono = mono_ms() + std::max<int64_t>(left, 0);
  }
  auto strategy = MakeStrategy(s.spec);
  if (!strategy.ok()) return strategy.status();
  s.strategy = *std::move(strategy);
  s.next_index = read.TrialsCreated(s.rowid);
  s.enqueued = read.EnqueuedTrials(s.rowid);
  s.total = std::min(rec.total_trials, s.strategy->total() + s.enqueued);
  s.pruner = search::MakePruner(s.spec, s.metric, s.maximize, search::MaxEpochs(s.spec));
  RestoreSearch(s, read);
  const store::TrialCounts c = read.CountByStatus(s.rowid);
  s.done.completed = c.completed;
  s.done.failed = c.failed;
  s.done.pruned = c.pruned;
  s.done.cancelled = c.cancelled;
  auto best = read.BestTrials(s.rowid, 1);
  if (!best.empty()) {
    s.best = best[0].objective;
    s.best_trial = best[0].index;
  }
  if (rec.status == SweepStatus::kStopping) {
    // The trials never started stay not_started (they have no rows), as before the restart.
    s.ending = true;
    s.end_status = rec.ending_status != SweepStatus::kUnspecified ? rec.ending_status : SweepStatus::kCancelled;
    s.end_reason = rec.status_reason;
  }
  const int64_t mono = mono_ms();
  for (auto& t : read.OpenTrials(s.rowid)) {
    if (t.status == TrialStatus::kPending) {
      const int64_t index = t.index;
      s.queued[index] = std::move(t);
      continue;
    }
    if (!t.request_id.empty()) {
      // A worker retrying the AcquireTrial whose reply the crash swallowed gets this lease.
      last_request_[t.worker] = LastRequest{t.request_id, LeaseKey{s.id, t.index, t.attempt, t.lease_id}};
    }
    RunningTrial r;
    r.expires_mono = mono + options_.lease_ms;  // a remote worker gets one more lease to report
    r.flushed_mono = mono;
    const int64_t index = t.index;
    r.trial = std::move(t);
    s.running.emplace(index, std::move(r));
  }
  return state;
}

void Scheduler::RestoreSearch(SweepState& s, ReadTxn& read) {
  if (!s.strategy->learns() && !s.pruner) {
    s.strategy->Skip(s.drawn());  // a blind strategy: its sequence is fixed by the seed
    return;
  }
  using search::TrialState;
  std::vector<search::Observation> history;
  for (const auto& [t, curve] : read.History(s.rowid, s.metric)) {
    std::optional<bool> completed;  // how the pruner sees it; nullopt: still running
    search::Observation o = Observed(t, TrialState::kFailed);
    switch (t.status) {
      case TrialStatus::kRunning:
        o.state = TrialState::kRunning;
        break;
      case TrialStatus::kPending:
        o.state = TrialState::kWaiting;
        break;
      case TrialStatus::kCompleted:
        o.state = TrialState::kCompleted;
        o.value = t.objective;
        if (!s.objectives.empty()) o.values = ObjectiveValues(s, t).value_or(std::vector<double>{});
        completed = true;
        break;
      case TrialStatus::kPruned:
        o.state = TrialState::kPruned;
        if (auto m = t.metrics.find(s.metric); m != t.metrics.end()) o.value = m->second;
        o.epoch = curve.empty() ? 0 : curve.back().first;
        completed = false;
        break;
      default:
        completed = false;
        break;
    }
    history.push_back(std::move(o));
    // A pending trial's next attempt reports its curve afresh.
    if (s.pruner && t.status != TrialStatus::kPending) s.pruner->Replay(t.index, curve, completed);
  }
  s.strategy->Restore(s.drawn(), history);
  if (s.strategy->learns()) {
    log::Info("sweep ", s.id, ": ", search::MethodName(s.spec.method), " resumes from ", history.size(),
              " stored trials");
  }
}

absl::Status Scheduler::AbandonSweep(const store::SweepRecord& rec, const std::string& why) {
  log::Error("sweep ", rec.id, " cannot resume: ", why);
  const std::string reason = absl::StrCat("cannot resume after restart: ", why);
  const int64_t now = now_ms();
  return Write(kRecoverPoints, [&](WriteTxn& w) {
    w.CancelPendingTrials(rec.rowid, reason, now);
    w.CancelRunningTrials(rec.rowid, reason, now);
    const int64_t created = w.TrialsCreated(rec.rowid);
    w.FinishSweep(rec.rowid, SweepStatus::kFailed, reason, rec.total_trials,
                  std::max<int64_t>(0, rec.total_trials - created), now);
  });
}

absl::Status Scheduler::SettleSweep(int64_t rowid) {
  // The server's own slots died with the previous process: their trials run again
  // (each hand-back is its own event; LoseLease may even finish the sweep).
  std::vector<int64_t> lost;
  if (SweepState* s = Active(rowid)) {
    for (const auto& [index, r] : s->running) {
      if (absl::StartsWith(r.trial.worker, options_.embedded_prefix)) lost.push_back(index);
    }
  }
  for (int64_t index : lost) {
    SweepState* s = Active(rowid);
    if (!s || !s->running.count(index)) continue;
    if (auto st = LoseLease(*s, index, "server restarted", true, &kRecoverPoints); !st.ok()) return st;
  }
  SweepState* s = Active(rowid);
  if (!s) return absl::OkStatus();
  // A stopping sweep starts nothing: trials left pending are cancelled, and with
  // nothing running it ends — as it would have had the server not stopped.
  const Effects p = EffectsOf(*s, -1, false, nullptr, s->done, "");
  if (!p.cancel_pending && !p.finish) return absl::OkStatus();
  const int64_t now = now_ms();
  if (auto st = Write(kRecoverPoints, [&](WriteTxn& w) { WriteEffects(w, *s, p, now); }); !st.ok()) return st;
  ApplyEffects(*s, p);
  return absl::OkStatus();
}

absl::Status Scheduler::Recover() {
  Lock lock(mu_);
  std::vector<store::SweepRecord> unfinished;
  auto st = store_.Read([&](ReadTxn& r) {
    unfinished = r.UnfinishedSweeps();
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  for (const auto& rec : unfinished) {
    absl::Status resumed;
    auto read = store_.Read([&](ReadTxn& r) {
      // One sweep too large to load fails alone and the others are served (a
      // database error still fails the whole recovery, which is retried).
      try {
        resumed = ResumeSweep(rec, r);
      } catch (const std::bad_alloc&) {
        resumed = absl::ResourceExhaustedError("out of memory loading it");
      } catch (const std::length_error& e) {
        resumed = absl::ResourceExhaustedError(absl::StrCat("too large to load: ", e.what()));
      }
      return absl::OkStatus();
    });
    if (!read.ok()) return read;
    if (!resumed.ok()) {
      if (auto ab = AbandonSweep(rec, std::string(resumed.message())); !ab.ok()) return ab;
    }
  }
  std::vector<int64_t> ids;
  for (const auto& [rowid, s] : active_) ids.push_back(rowid);
  for (int64_t rowid : ids) {
    if (auto settled = SettleSweep(rowid); !settled.ok()) return settled;
  }
  recovered_ = true;
  lock.unlock();
  work_cv_.notify_all();
  return absl::OkStatus();
}

}  // namespace hpsearch::scheduler
