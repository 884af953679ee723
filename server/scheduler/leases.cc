// The worker protocol: Acquire → Report* → Complete | Fail, leases and their expiry.
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "scheduler/scheduler.h"
#include "util/log.h"
#include "util/value_json.h"

namespace hpsearch::scheduler {

namespace v1 = hpsearch::v1;
using store::ReadTxn;
using store::WriteTxn;

namespace {

std::string Num(double v) { return absl::StrFormat("%.6g", v); }

std::string Describe(double v) { return std::isnan(v) ? "nan" : std::isinf(v) ? (v > 0 ? "+inf" : "-inf") : Num(v); }

// The first (by name) non-finite value of a metric map, described ("val_loss is nan").
std::optional<std::string> NonFinite(const google::protobuf::Map<std::string, double>& m) {
  std::optional<std::string> first;
  for (const auto& [k, v] : m) {
    if (!std::isfinite(v) && (!first || k < *first)) first = k;
  }
  if (!first) return std::nullopt;
  return absl::StrCat(*first, " is ", Describe(m.at(*first)));
}

// What is wrong with an epoch report's numbers, as a trial failure reason; nullopt
// when every number is usable. A non-finite metric or learning rate is the trial
// diverging; a negative or non-finite duration is a broken report.
std::optional<std::string> BadEpoch(const v1::EpochMetrics& e) {
  if (auto bad = NonFinite(e.metrics())) return absl::StrCat("diverged: ", *bad, " at epoch ", e.epoch());
  if (!std::isfinite(e.lr())) return absl::StrCat("diverged: lr is ", Describe(e.lr()), " at epoch ", e.epoch());
  if (!std::isfinite(e.seconds()) || e.seconds() < 0) {
    return absl::StrCat("invalid report: seconds is ", Describe(e.seconds()), " at epoch ", e.epoch());
  }
  return std::nullopt;
}

// Reasons a worker sends are stored and shown: keep them a readable size.
std::string Bounded(const std::string& text) {
  constexpr size_t kMax = 2000;
  return text.size() <= kMax ? text : absl::StrCat(text.substr(0, kMax), "… (", text.size(), " bytes)");
}

void FlushEpochs(WriteTxn& w, const RunningTrial& r) {
  for (const auto& e : r.unflushed) w.InsertEpoch(r.trial_id, e.metrics, e.stats ? &*e.stats : nullptr);
}

constexpr const char* kStarting = "the server is starting (recovering sweeps); retry";

}  // namespace

int64_t Scheduler::ExpiresWall(const RunningTrial& r) const { return now_ms() + (r.expires_mono - mono_ms()); }

v1::Lease Scheduler::MakeLease(const SweepState& s, int64_t index, const RunningTrial& r) const {
  v1::Lease lease;
  auto* key = lease.mutable_key();
  key->set_sweep_id(s.id);
  key->set_index(index);
  key->set_attempt(r.attempt);
  *lease.mutable_dataset() = s.spec.dataset();
  for (const auto& [k, v] : r.params.items()) (*lease.mutable_params())[k] = JsonToValue(v);
  lease.set_seed(r.seed);
  lease.set_expires_ms(ExpiresWall(r));
  lease.set_lease_ms(options_.lease_ms);
  lease.set_objective_metric(s.metric);
  lease.set_objective_maximize(s.maximize);
  return lease;
}

// ------------------------------------------------------------------------ acquire

absl::StatusOr<std::optional<v1::Lease>> Scheduler::Acquire(const std::string& worker_id,
                                                            const std::string& request_id) {
  if (worker_id.empty()) return absl::InvalidArgumentError("worker_id: required");
  if (worker_id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("worker_id: at most ", kMaxIdBytes, " bytes"));
  }
  if (request_id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("request_id: at most ", kMaxIdBytes, " bytes"));
  }
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError(kStarting);
  if (draining_) return std::optional<v1::Lease>();
  if (!request_id.empty()) {
    auto it = last_request_.find(worker_id);
    if (it != last_request_.end() && it->second.request_id == request_id) {
      // A retried call: the same lease again, if it is still held.
      auto held = Held(it->second.key);
      if (!held.ok()) return std::optional<v1::Lease>();
      held->second->expires_mono = mono_ms() + options_.lease_ms;
      return std::optional<v1::Lease>(MakeLease(*held->first, it->second.key.index(), *held->second));
    }
  }
  return LeaseNext(worker_id, request_id);
}

absl::StatusOr<std::optional<v1::Lease>> Scheduler::LeaseNext(const std::string& worker_id,
                                                              const std::string& request_id) {
  static const Commit kAcquire{"scheduler.acquire.before_commit", "scheduler.acquire.after_commit"};
  for (;;) {
    const int64_t mono = mono_ms();
    // Fair share: the sweep with the fewest running trials (then the one served
    // longest ago) among those with work and room under max_concurrent.
    SweepState* pick = nullptr;
    for (auto& [rowid, s] : active_) {
      if (!s->has_work()) continue;
      if (s->max_concurrent > 0 && static_cast<int32_t>(s->running.size()) >= s->max_concurrent) continue;
      if (s->deadline_mono > 0 && mono >= s->deadline_mono) continue;
      if (!pick || s->running.size() < pick->running.size() ||
          (s->running.size() == pick->running.size() && s->last_served < pick->last_served)) {
        pick = s.get();
      }
    }
    if (!pick) return std::optional<v1::Lease>();
    SweepState& s = *pick;
    RunningTrial r;
    int64_t index = 0;
    const bool from_queue = !s.queued.empty();
    bool insert = false;  // the trial has no row yet
    if (from_queue) {
      auto& [i, q] = *s.queued.begin();
      index = i;
      insert = q.trial_id == 0;
      r.trial_id = q.trial_id;
      r.attempt = q.attempt;
      r.lost = q.lost;
      r.params = q.params;
      r.seed = q.seed;
    } else {
      auto params = s.strategy->Next();
      if (!params) {
        // A random search found the space exhausted before its budget.
        s.total = s.next_index;
        (void)FinishIfDone(s);  // may remove s
        continue;
      }
      index = s.next_index;
      insert = true;
      r.params = *std::move(params);
      r.seed = TrialSeed(s.spec, index);
    }
    const int64_t now = now_ms();
    r.worker = worker_id;
    r.started_ms = now;
    r.flushed_mono = mono;
    r.expires_mono = mono + options_.lease_ms;
    const int64_t expires_wall = now + options_.lease_ms;
    auto st = Write(kAcquire, [&](WriteTxn& w) {
      if (insert) r.trial_id = w.InsertTrial(s.rowid, index, r.params, r.seed, now);
      w.StartAttempt(r.trial_id, r.attempt, worker_id, expires_wall, now, request_id);
    });
    if (!st.ok()) {
      if (!from_queue) {
        // Keep the strategy's sequence intact: park the drawn configuration.
        s.queued[index] = QueuedTrial{0, 1, 0, r.params, r.seed};
        s.next_index++;
      }
      return st;
    }
    if (from_queue) {
      s.queued.erase(s.queued.begin());
    } else {
      s.next_index++;
    }
    s.last_served = ++serve_seq_;
    auto [it, inserted] = s.running.insert_or_assign(index, std::move(r));
    v1::Lease lease = MakeLease(s, index, it->second);
    last_request_[worker_id] = LastRequest{request_id, lease.key()};
    EmitTrial(s, index, v1::RUNNING, &it->second, "", nullptr);
    return std::optional<v1::Lease>(std::move(lease));
  }
}

// ---------------------------------------------------------------- worker reports

absl::StatusOr<std::pair<SweepState*, RunningTrial*>> Scheduler::Held(const v1::LeaseKey& key) {
  auto rowid = store::ParseSweepId(key.sweep_id());
  SweepState* s = rowid ? Active(*rowid) : nullptr;
  if (!s) return absl::NotFoundError("no such running sweep");
  auto it = s->running.find(key.index());
  if (it == s->running.end() || it->second.attempt != key.attempt()) {
    return absl::NotFoundError("not running under this attempt");
  }
  return std::make_pair(s, &it->second);
}

absl::Status Scheduler::StaleLease(const v1::LeaseKey& key, const std::string& what) {
  return absl::FailedPreconditionError(absl::StrCat(
      what, " refused: trial ", key.sweep_id(), "/", key.index(), " attempt ", key.attempt(),
      " no longer holds a lease (it expired, was retried, or the trial has ended)"));
}

absl::StatusOr<std::optional<v1::Trial>> Scheduler::StoredTrial(const v1::LeaseKey& key, Lock& lock) {
  lock.unlock();
  std::optional<v1::Trial> t;
  auto rowid = store::ParseSweepId(key.sweep_id());
  if (!rowid) return t;
  auto st = store_.Read([&](ReadTxn& r) {
    t = r.GetTrial(*rowid, key.index());
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return t;
}

absl::StatusOr<v1::ReportProgressResponse> Scheduler::StoppedReply(const v1::LeaseKey& key, Lock& lock) {
  // A trial stopped under this very attempt (cancelled, pruned, failed) is told to
  // stop; anything else is a stale attempt.
  auto stored = StoredTrial(key, lock);
  if (!stored.ok()) return stored.status();
  const std::optional<v1::Trial>& t = *stored;
  if (t && t->attempt() == key.attempt() &&
      (t->status() == v1::CANCELLED || t->status() == v1::PRUNED || t->status() == v1::FAILED)) {
    v1::ReportProgressResponse reply;
    reply.set_directive(v1::STOP);
    reply.set_reason(absl::StrCat(v1::TrialStatus_Name(t->status()), ": ", t->failure_reason()));
    return reply;
  }
  return StaleLease(key, "progress report");
}

void Scheduler::BufferEpoch(SweepState& s, RunningTrial& r, const v1::ReportProgressRequest& request) {
  static const Commit kFlush{"scheduler.epoch_flush.before_commit", "scheduler.epoch_flush.after_commit"};
  const auto& e = request.epoch();
  RunningTrial::Epoch epoch{e, request.has_diagnostics() ? std::optional<v1::ActivationStats>(request.diagnostics())
                                                         : std::nullopt};
  if (!r.unflushed.empty() && r.unflushed.back().metrics.epoch() == e.epoch()) {
    r.unflushed.back() = std::move(epoch);  // a retried report
  } else {
    r.unflushed.push_back(std::move(epoch));
  }
  const int64_t mono = mono_ms();
  if (mono - r.flushed_mono >= kEpochFlushMs) {
    // A failed write keeps every buffered epoch for the next flush or the trial's end.
    if (Write(kFlush, [&](WriteTxn& w) { FlushEpochs(w, r); }).ok()) {
      r.unflushed.clear();
      r.flushed_mono = mono;
    }
  }
  if (Watched(s.rowid)) {
    v1::SweepEvent event;
    event.set_time_ms(now_ms());
    event.mutable_epoch()->set_trial(request.key().index());
    *event.mutable_epoch()->mutable_metrics() = e;
    *event.mutable_sweep() = SweepProto(s, false);
    Emit(s, std::move(event));
  }
}

absl::StatusOr<v1::ReportProgressResponse> Scheduler::Report(const v1::ReportProgressRequest& request) {
  const auto& key = request.key();
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError(kStarting);
  auto held = Held(key);
  if (!held.ok()) return StoppedReply(key, lock);
  auto [s, r] = *held;
  v1::ReportProgressResponse reply;
  reply.set_directive(v1::CONTINUE);
  if (request.has_epoch()) {
    if (auto bad = BadEpoch(request.epoch())) {
      if (auto st = FailTrial(*s, key.index(), *bad); !st.ok()) return st;
      reply.set_directive(v1::STOP);
      reply.set_reason(*bad);
      return reply;
    }
    BufferEpoch(*s, *r, request);
  }
  r->expires_mono = mono_ms() + options_.lease_ms;
  reply.set_expires_ms(ExpiresWall(*r));
  reply.set_lease_ms(options_.lease_ms);
  if (s->deadline_mono > 0 && mono_ms() >= s->deadline_mono && !s->ending) {
    static const Commit kDeadline{"scheduler.deadline.before_commit", "scheduler.deadline.after_commit"};
    const Ending ending{v1::SWEEP_COMPLETED,
                        absl::StrCat("max_duration of ", Num(s->spec.budget().max_duration_seconds()), "s reached"),
                        true};
    if (EndSweep(*s, ending, kDeadline).ok()) {  // s may be gone
      reply.set_directive(v1::STOP);
      reply.set_reason("max_duration reached");
    }
  }
  return reply;
}

absl::Status Scheduler::AlreadyRecorded(const v1::LeaseKey& key, Lock& lock, const std::string& what,
                                        const std::function<bool(const v1::Trial&)>& recorded) {
  auto t = StoredTrial(key, lock);
  if (!t.ok()) return t.status();
  if (*t && recorded(**t)) return absl::OkStatus();
  return StaleLease(key, what);
}

absl::Status Scheduler::Complete(const v1::CompleteTrialRequest& request) {
  const auto& key = request.key();
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError(kStarting);
  auto held = Held(key);
  if (!held.ok()) {
    return AlreadyRecorded(key, lock, "completion", [&](const v1::Trial& t) {
      return t.status() == v1::COMPLETED && t.attempt() == key.attempt();
    });
  }
  auto [s, r] = *held;
  const int64_t index = key.index();
  if (auto bad = NonFinite(request.metrics())) return FailTrial(*s, index, absl::StrCat("diverged: final ", *bad));
  if (request.parameter_count() < 0) {
    return FailTrial(*s, index, absl::StrCat("invalid result: parameter_count is ", request.parameter_count()));
  }
  auto obj = request.metrics().find(s->metric);
  if (obj == request.metrics().end()) {
    std::string have;
    for (const auto& [k, v] : request.metrics()) absl::StrAppend(&have, have.empty() ? "" : ", ", k);
    return FailTrial(*s, index, absl::StrCat("the objective metric ", s->metric, " was not reported (reported: ",
                                             have, ")"));
  }
  const double objective = obj->second;
  const std::map<std::string, double> metrics(request.metrics().begin(), request.metrics().end());
  const std::vector<v1::ActivationStats> diagnostics(request.diagnostics().begin(), request.diagnostics().end());
  const auto& target = s->spec.objective();
  const bool reached = target.has_target() && !s->ending &&
                       (s->maximize ? objective >= target.target() : objective <= target.target());
  const Ending by_target{v1::SWEEP_COMPLETED,
                         absl::StrCat("target ", s->metric, " ", Num(target.target()), " reached by trial ", index,
                                      " (", Num(objective), ")"),
                         true};
  v1::TrialCounts done_after = s->done;
  done_after.set_completed(done_after.completed() + 1);
  const Plan p = PlanEvent(*s, index, false, reached ? &by_target : nullptr, done_after, "");
  const int64_t now = now_ms();
  static const Commit kComplete{"scheduler.complete.before_commit", "scheduler.complete.after_commit"};
  auto st = Write(kComplete, [&](WriteTxn& w) {
    FlushEpochs(w, *r);
    w.CompleteTrial(r->trial_id, r->attempt, objective, s->maximize, metrics, diagnostics, request.parameter_count(),
                    now);
    WritePlan(w, *s, p, now);
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
  s->strategy->Observe(index, objective);
  EmitTrial(*s, index, v1::COMPLETED, &done, "", &metrics);
  ApplyPlan(*s, p);
  lock.unlock();
  work_cv_.notify_all();
  return absl::OkStatus();
}

absl::Status Scheduler::Fail(const v1::FailTrialRequest& request) {
  const auto& key = request.key();
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError(kStarting);
  auto held = Held(key);
  if (!held.ok()) {
    return AlreadyRecorded(key, lock, "failure report", [&](const v1::Trial& t) {
      if (request.permanent()) return t.status() == v1::FAILED && t.attempt() == key.attempt();
      // Handed back: that attempt is closed with the hand-back as its outcome.
      for (const auto& a : t.attempts()) {
        if (a.attempt() == key.attempt()) return absl::StartsWith(a.outcome(), "handed back");
      }
      return false;
    });
  }
  SweepState& s = *held->first;
  const std::string reason = request.reason().empty() ? "failed (no reason given)" : Bounded(request.reason());
  absl::Status st = request.permanent()
                        ? FailTrial(s, key.index(), reason)
                        : LoseLease(s, key.index(), absl::StrCat("handed back: ", reason), false);
  if (!st.ok()) held->second->expires_mono = mono_ms() + options_.lease_ms;
  lock.unlock();
  work_cv_.notify_all();
  return st;
}

// ---------------------------------------------------------------------- lifecycle

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
      const std::string worker = s->running.at(index).worker;
      (void)LoseLease(*s, index, absl::StrCat("lease expired (worker ", worker, ")"), true);
    }
    if ((s = Active(rowid)) && s->deadline_mono > 0 && mono >= s->deadline_mono && !s->ending) {
      const Ending ending{v1::SWEEP_COMPLETED,
                          absl::StrCat("max_duration of ", Num(s->spec.budget().max_duration_seconds()), "s reached"),
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
      if (absl::StartsWith(r.worker, worker_prefix)) victims.emplace_back(rowid, index);
    }
  }
  for (auto [rowid, index] : victims) {
    if (SweepState* s = Active(rowid); s && s->running.count(index)) {
      (void)LoseLease(*s, index, absl::StrCat("handed back: ", why), false);
    }
  }
}

}  // namespace hpsearch::scheduler
