// The worker protocol after a lease is handed out (hand_out.cc): Report* → Complete |
// Fail (expiry: lifecycle.cc).
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/protocol/report_checks.h"
#include "common/util/log.h"
#include "common/util/printable.h"
#include "common/util/secret.h"
#include "search/command_spec.h"
#include "server/scheduler/scheduler.h"

namespace hpsearch::scheduler {

using store::ReadTxn;
using store::WriteTxn;

namespace {

std::string Num(double v) { return absl::StrFormat("%.6g", v); }

std::string Describe(double v) { return std::isnan(v) ? "nan" : std::isinf(v) ? (v > 0 ? "+inf" : "-inf") : Num(v); }

// The first (by name) non-finite value of a metric map, described ("val_loss is nan").
std::optional<std::string> NonFinite(const std::map<std::string, double>& m) {
  for (const auto& [k, v] : m) {  // sorted by name
    if (!std::isfinite(v)) return absl::StrCat(k, " is ", Describe(v));
  }
  return std::nullopt;
}

// Why a well-formed epoch report (CheckEpochReport) says the trial diverged, as its
// failure reason; nullopt when every number is finite: a non-finite metric, learning
// rate or activation statistic.
std::optional<std::string> Diverged(const EpochReport& report) {
  if (const auto& e = report.epoch) {
    if (auto bad = NonFinite(e->metrics)) return absl::StrCat("diverged: ", *bad, " at epoch ", e->epoch);
    if (!std::isfinite(e->lr)) return absl::StrCat("diverged: lr is ", Describe(e->lr), " at epoch ", e->epoch);
  }
  if (report.diagnostics) {
    if (std::string bad = NonFiniteActivation(*report.diagnostics); !bad.empty()) return "diverged: " + bad;
  }
  return std::nullopt;
}

// The epochs a trial runs: its `epochs` setting, or the built-in trainer's default
// (a command that sets none may report any epoch or step up to kMaxCommandEpochs).
int64_t TrialEpochs(const search::Spec& spec, const Params& params) {
  if (auto it = params.find("epochs"); it != params.end() && it->second.is_number()) {
    return static_cast<int64_t>(it->second.number());
  }
  return spec.trainer.builtin() ? search::kDefaultEpochs : search::kMaxCommandEpochs;
}

// Reasons a worker sends are stored and shown: keep them a readable size, cut
// between characters (a cut UTF-8 sequence would not be a valid protobuf string).
std::string Bounded(const std::string& text) {
  constexpr auto kMax = static_cast<size_t>(kMaxReasonBytes);
  return text.size() <= kMax ? text : absl::StrCat(Truncated(text, kMax), " (", text.size(), " bytes)");
}

// Whether `key` names an attempt of stored trial `t` with that attempt's own lease id.
bool HeldBy(const store::TrialRecord& t, const LeaseKey& key) {
  for (const auto& a : t.attempts) {
    if (a.attempt == key.attempt) return SecretEquals(key.lease_id, a.lease_id);
  }
  return false;
}

}  // namespace

int64_t Scheduler::ExpiresWall(const RunningTrial& r) const { return now_ms() + (r.expires_mono - mono_ms()); }

// ---------------------------------------------------------------- worker reports

absl::StatusOr<std::pair<SweepState*, RunningTrial*>> Scheduler::Held(const LeaseKey& key) {
  auto rowid = store::ParseSweepId(key.sweep_id);
  SweepState* s = rowid ? Active(*rowid) : nullptr;
  if (!s) return absl::NotFoundError("no such running sweep");
  auto it = s->running.find(key.index);
  if (it == s->running.end() || it->second.trial.attempt != key.attempt ||
      !SecretEquals(key.lease_id, it->second.trial.lease_id)) {
    return absl::NotFoundError("not running under this lease");
  }
  return std::make_pair(s, &it->second);
}

absl::Status Scheduler::StaleLease(const LeaseKey& key, const std::string& what) {
  return absl::FailedPreconditionError(absl::StrCat(what, " refused: trial ", key.sweep_id, "/", key.index, " attempt ",
                                                    key.attempt,
                                                    " does not hold this lease (it expired, was retried, the trial has "
                                                    "ended, or the lease id is not the one given)"));
}

absl::StatusOr<std::optional<store::TrialRecord>> Scheduler::StoredTrial(const LeaseKey& key, Lock& lock) {
  lock.unlock();
  std::optional<store::TrialRecord> t;
  auto rowid = store::ParseSweepId(key.sweep_id);
  if (!rowid) return t;
  auto st = store_.Read([&](ReadTxn& r) {
    t = r.GetTrial(*rowid, key.index);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return t;
}

absl::StatusOr<ReportReply> Scheduler::StoppedReply(const LeaseKey& key, Lock& lock) {
  // A trial stopped under this very attempt (cancelled, pruned, failed) is told to
  // stop; anything else is a stale attempt.
  auto stored = StoredTrial(key, lock);
  if (!stored.ok()) return stored.status();
  const std::optional<store::TrialRecord>& t = *stored;
  if (t && t->attempt == key.attempt && HeldBy(*t, key) &&
      (t->status == TrialStatus::kCancelled || t->status == TrialStatus::kPruned ||
       t->status == TrialStatus::kFailed)) {
    ReportReply reply;
    reply.stop = true;
    reply.reason = absl::StrCat(Name(t->status), ": ", t->failure_reason);
    return reply;
  }
  return StaleLease(key, "progress report");
}

absl::Status Scheduler::BufferEpoch(SweepState& s, RunningTrial& r, const EpochReport& report) {
  static const Commit kFlush{"scheduler.epoch_flush.before_commit", "scheduler.epoch_flush.after_commit"};
  const EpochMetrics& e = *report.epoch;
  RunningTrial::Epoch epoch{e, report.diagnostics};
  if (!r.unflushed.empty() && r.unflushed.back().metrics.epoch == e.epoch) {
    r.unflushed.back() = std::move(epoch);  // a retried report
  } else {
    r.unflushed.push_back(std::move(epoch));
  }
  const int64_t mono = mono_ms();
  // A remote worker's lease outlives a restart of this server, so an epoch it is told
  // is recorded must be on disk before the reply. An embedded slot's attempt ends
  // with this process and runs again from the start, so its epochs are written at
  // most once a second (and with the trial's end).
  const bool durable = !absl::StartsWith(r.trial.worker, options_.embedded_prefix);
  if (durable || mono - r.flushed_mono >= kEpochFlushMs) {
    // A failed write keeps every buffered epoch for the next flush or the trial's end.
    absl::Status st = Write(kFlush, [&](WriteTxn& w) { FlushEpochs(w, r); });
    if (st.ok()) {
      r.unflushed.clear();
      r.flushed_mono = mono;
    } else if (durable) {
      // Not acknowledged: the worker sends it again; its lease outlives the outage.
      r.expires_mono = mono + options_.lease_ms;
      return st;
    }
  }
  if (options_.metrics) options_.metrics->EpochReported();
  EmitEpoch(s, r.trial.index, e);
  return absl::OkStatus();
}

std::optional<std::string> Scheduler::MaybePrune(SweepState& s, RunningTrial& r, const EpochMetrics& e) {
  if (!s.pruner || s.ending) return std::nullopt;
  const auto value = e.metrics.find(s.metric);
  if (value == e.metrics.end()) return std::nullopt;
  // Its last epoch costs nothing more to finish: the trial completes instead.
  const int64_t epochs = TrialEpochs(s.spec, r.trial.params);
  auto why = s.pruner->Report(r.trial.index, e.epoch, value->second);
  if (!why || e.epoch >= epochs) return std::nullopt;
  // Not written (the store is failing): the trial goes on, and its next report is judged again.
  if (!PruneTrial(s, r.trial.index, *why, e, value->second).ok()) return std::nullopt;
  return why;
}

absl::StatusOr<ReportReply> Scheduler::Report(const EpochReport& report) {
  bool holder = false;
  auto reply = ReportHeld(report, &holder);
  // A command trial's output, from the lease's holder (or from the attempt that was
  // stopped under it: what a pruned program wrote last, its reason to stop included,
  // comes after the stop): written without the lock.
  if (holder && !report.output.empty() && options_.on_output) options_.on_output(report.key, report.output);
  return reply;
}

absl::StatusOr<ReportReply> Scheduler::ReportHeld(const EpochReport& report, bool* holder) {
  const LeaseKey& key = report.key;
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError(kStarting);
  auto held = Held(key);
  if (held.ok()) Seen(held->second->trial.worker);
  if (!held.ok()) {
    auto stopped = StoppedReply(key, lock);
    *holder = stopped.ok();  // told to stop under this very attempt: its output is still its own
    return stopped;
  }
  auto [s, r] = *held;
  if (auto st = CheckEpochReport(report, TrialEpochs(s->spec, r->trial.params)); !st.ok()) return st;
  *holder = true;
  if (report.parameter_count > 0) r->trial.parameter_count = report.parameter_count;
  ReportReply reply;
  if (auto bad = Diverged(report)) {
    if (auto st = FailTrial(*s, key.index, *bad); !st.ok()) return st;
    reply.stop = true;
    reply.reason = *bad;
    return reply;
  }
  if (report.epoch) {
    if (auto st = BufferEpoch(*s, *r, report); !st.ok()) return st;
    if (auto pruned = MaybePrune(*s, *r, *report.epoch)) {
      reply.stop = true;
      reply.reason = *pruned;
      return reply;
    }
  }
  r->expires_mono = mono_ms() + options_.lease_ms;
  reply.expires_ms = ExpiresWall(*r);
  reply.lease_ms = options_.lease_ms;
  if (s->deadline_mono > 0 && mono_ms() >= s->deadline_mono && !s->ending) {
    static const Commit kDeadline{"scheduler.deadline.before_commit", "scheduler.deadline.after_commit"};
    const Ending ending{SweepStatus::kCompleted,
                        absl::StrCat("max_duration of ", Num(s->spec.budget.max_duration_seconds), "s reached"), true};
    if (EndSweep(*s, ending, kDeadline).ok()) {  // s may be gone
      reply.stop = true;
      reply.reason = "max_duration reached";
    }
  }
  return reply;
}

absl::Status Scheduler::AlreadyRecorded(const LeaseKey& key, Lock& lock, const std::string& what,
                                        const std::function<bool(const store::TrialRecord&)>& recorded) {
  auto t = StoredTrial(key, lock);
  if (!t.ok()) return t.status();
  // Only the worker that held that attempt's lease hears that its report is in.
  if (*t && HeldBy(**t, key) && recorded(**t)) return absl::OkStatus();
  return StaleLease(key, what);
}

absl::Status Scheduler::Complete(const TrialResult& result) {
  const LeaseKey& key = result.key;
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError(kStarting);
  auto held = Held(key);
  if (held.ok()) Seen(held->second->trial.worker);
  if (!held.ok()) {
    return AlreadyRecorded(key, lock, "completion", [&](const store::TrialRecord& t) {
      return t.status == TrialStatus::kCompleted && t.attempt == key.attempt;
    });
  }
  auto [s, r] = *held;
  const int64_t index = key.index;
  if (auto st = CheckTrialResult(result, TrialEpochs(s->spec, r->trial.params)); !st.ok()) return st;
  if (auto bad = NonFinite(result.metrics)) {
    return FailTrial(*s, index, absl::StrCat("diverged: final ", *bad), &result.metrics);
  }
  for (const auto& d : result.diagnostics) {
    if (std::string bad = NonFiniteActivation(d); !bad.empty()) {
      return FailTrial(*s, index, "diverged: " + bad, &result.metrics);
    }
  }
  auto obj = result.metrics.find(s->metric);
  if (obj == result.metrics.end()) {
    std::string have;
    for (const auto& [k, v] : result.metrics) absl::StrAppend(&have, have.empty() ? "" : ", ", k);
    return FailTrial(*s, index,
                     absl::StrCat("the objective metric ", s->metric, " was not reported (reported: ", have, ")"),
                     &result.metrics);
  }
  const double objective = obj->second;
  const int64_t finished = now_ms();
  std::vector<double> values;  // a multi-objective sweep's
  if (!s->objectives.empty()) {
    store::TrialRecord counted = r->trial;
    counted.parameter_count = result.parameter_count;
    auto all = ObjectiveValues(*s, counted, result.metrics, finished);
    if (!all) {
      std::string missing;
      for (const auto& o : s->objectives) {
        if (!search::ObjectiveValue(o.metric, {&result.metrics, result.parameter_count, 0})) missing = o.metric;
      }
      return FailTrial(*s, index, absl::StrCat("the objective metric ", missing, " was not reported"), &result.metrics);
    }
    values = *std::move(all);
  }
  const auto& target = s->spec.objective.target;
  const bool reached = target && !s->ending && (s->maximize ? objective >= *target : objective <= *target);
  const Ending by_target{SweepStatus::kCompleted,
                         absl::StrCat("target ", s->metric, " ", Num(target.value_or(0)), " reached by trial ", index,
                                      " (", Num(objective), ")"),
                         true};
  store::TrialCounts done_after = s->done;
  done_after.completed += 1;
  const Effects p = EffectsOf(*s, index, false, reached ? &by_target : nullptr, done_after, "");
  const int64_t now = finished;
  static const Commit kComplete{"scheduler.complete.before_commit", "scheduler.complete.after_commit"};
  auto st = Write(kComplete, [&](WriteTxn& w) {
    FlushEpochs(w, *r);
    w.CompleteTrial(r->trial.trial_id, r->trial.attempt, objective, s->maximize, result.metrics, result.diagnostics,
                    result.parameter_count, now);
    WriteEffects(w, *s, p, now);
  });
  if (!st.ok()) {
    // The worker holds the result and retries: its lease must outlive the outage.
    r->expires_mono = mono_ms() + options_.lease_ms;
    return st;
  }
  RunningTrial done = std::move(*r);
  s->running.erase(index);
  s->done = done_after;
  if (s->better(objective)) {
    s->best = objective;
    s->best_trial = index;
  }
  search::Observation observed = Observed(done.trial, search::TrialState::kCompleted, objective);
  observed.values = std::move(values);
  s->strategy->Observe(observed);
  if (s->pruner) s->pruner->Finished(index, true);
  EmitTrial(*s, done.trial, TrialStatus::kCompleted, "", &result.metrics, result.parameter_count);
  ApplyEffects(*s, p);
  lock.unlock();
  work_cv_.notify_all();
  return absl::OkStatus();
}

absl::Status Scheduler::Fail(const TrialFailure& failure) {
  const LeaseKey& key = failure.key;
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError(kStarting);
  auto held = Held(key);
  if (held.ok()) Seen(held->second->trial.worker);
  if (!held.ok()) {
    return AlreadyRecorded(key, lock, "failure report", [&](const store::TrialRecord& t) {
      if (failure.permanent) return t.status == TrialStatus::kFailed && t.attempt == key.attempt;
      // Handed back: that attempt is closed with the hand-back as its outcome.
      for (const auto& a : t.attempts) {
        if (a.attempt == key.attempt) return absl::StartsWith(a.outcome, "handed back");
      }
      return false;
    });
  }
  SweepState& s = *held->first;
  const std::string reason = failure.reason.empty() ? "failed (no reason given)" : Bounded(failure.reason);
  absl::Status st = failure.permanent ? FailTrial(s, key.index, reason)
                                      : LoseLease(s, key.index, absl::StrCat("handed back: ", reason), false);
  if (!st.ok()) held->second->expires_mono = mono_ms() + options_.lease_ms;
  lock.unlock();
  work_cv_.notify_all();
  return st;
}

}  // namespace hpsearch::scheduler
