#include "scheduler/scheduler.h"

#include <chrono>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "util/log.h"
#include "util/rng.h"
#include "util/value_json.h"

namespace hpsearch::scheduler {

namespace v1 = hpsearch::v1;
using store::ReadTxn;
using store::WriteTxn;

uint64_t TrialSeed(const v1::SweepSpec& spec, int64_t index) {
  return DeriveSeed(spec.seed(), static_cast<uint64_t>(index));
}

namespace {

int64_t SystemMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Num(double v) { return absl::StrFormat("%.6g", v); }

// The first (by name) non-finite value of a metric map, described ("val_loss is nan").
std::optional<std::string> NonFinite(const google::protobuf::Map<std::string, double>& m) {
  std::optional<std::string> first;
  for (const auto& [k, v] : m) {
    if (!std::isfinite(v) && (!first || k < *first)) first = k;
  }
  if (!first) return std::nullopt;
  const double v = m.at(*first);
  return absl::StrCat(*first, " is ", std::isnan(v) ? "nan" : (v > 0 ? "+inf" : "-inf"));
}

// Writes a running trial's buffered epochs (inside the caller's transaction).
void FlushEpochs(WriteTxn& w, const RunningTrial& r) {
  for (const auto& e : r.unflushed) w.InsertEpoch(r.trial_id, e.metrics, e.stats ? &*e.stats : nullptr);
}

}  // namespace

Scheduler::Scheduler(store::Store& store, SchedulerOptions options)
    : store_(store), options_(std::move(options)) {
  if (!options_.clock) options_.clock = SystemMs;
}

// ------------------------------------------------------------------------ helpers

SweepState* Scheduler::Active(int64_t rowid) {
  auto it = active_.find(rowid);
  return it == active_.end() ? nullptr : it->second.get();
}

v1::Sweep Scheduler::SweepProto(const SweepState& s, bool with_spec) const {
  v1::Sweep p;
  p.set_id(s.id);
  p.set_name(s.spec.name());
  if (with_spec) *p.mutable_spec() = s.spec;
  p.set_status(s.ending && !s.running.empty() ? v1::SWEEP_STOPPING : v1::SWEEP_RUNNING);
  if (s.ending) p.set_status_reason(s.end_reason);
  p.set_total_trials(s.total);
  auto* c = p.mutable_counts();
  *c = s.done;
  c->set_pending(s.unstarted() + static_cast<int64_t>(s.queued.size()));
  c->set_running(static_cast<int64_t>(s.running.size()));
  if (s.best) p.set_best_objective(*s.best);
  p.set_best_trial(s.best_trial);
  p.set_created_ms(s.created_ms);
  return p;
}

void Scheduler::Overlay(v1::Sweep* stored) const {
  auto id = store::ParseSweepId(stored->id());
  auto it = id ? active_.find(*id) : active_.end();
  if (it == active_.end()) return;
  v1::Sweep live = SweepProto(*it->second, false);
  live.set_name(stored->name());
  *live.mutable_spec() = std::move(*stored->mutable_spec());
  *stored = std::move(live);
}

absl::StatusOr<store::SweepRecord> Scheduler::Resolve(const std::string& sweep) {
  if (sweep.empty()) return absl::InvalidArgumentError("sweep: required (an id such as s-000001, or a name)");
  std::optional<store::SweepRecord> rec;
  auto st = store_.Read([&](ReadTxn& r) {
    rec = r.FindSweep(sweep);
    if (rec) {
      auto best = r.BestTrials(rec->rowid, 1);
      if (!best.empty()) {
        rec->sweep.set_best_objective(best[0].objective());
        rec->sweep.set_best_trial(best[0].index());
      }
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  if (!rec) return absl::NotFoundError(absl::StrCat("sweep '", sweep, "' not found"));
  return *std::move(rec);
}

absl::StatusOr<v1::Sweep> Scheduler::GetSweep(const std::string& sweep) {
  auto rec = Resolve(sweep);
  if (!rec.ok()) return rec.status();
  Lock lock(mu_);
  Overlay(&rec->sweep);
  return std::move(rec->sweep);
}

absl::StatusOr<SweepPage> Scheduler::ListSweeps(int64_t offset, int32_t limit) {
  SweepPage page;
  int64_t count = 0;
  auto st = store_.Read([&](ReadTxn& r) {
    count = r.CountSweeps();
    for (auto& rec : r.ListSweeps(offset, limit)) {
      auto best = r.BestTrials(rec.rowid, 1);
      if (!best.empty()) {
        rec.sweep.set_best_objective(best[0].objective());
        rec.sweep.set_best_trial(best[0].index());
      }
      page.sweeps.push_back(std::move(rec.sweep));
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  Lock lock(mu_);
  for (auto& s : page.sweeps) Overlay(&s);
  if (offset + static_cast<int64_t>(page.sweeps.size()) < count) page.next_offset = offset + page.sweeps.size();
  return page;
}

// ------------------------------------------------------------------------- submit

absl::StatusOr<v1::Sweep> Scheduler::Submit(const v1::SweepSpec& spec) {
  if (auto st = search::ValidateSpec(spec, options_.limits); !st.ok()) return st;
  if (!spec.dataset().path().empty() && options_.data_env) {
    auto path = data::ResolveDataPath(spec.dataset().path(), *options_.data_env);
    if (!path.ok() && (path.status().code() != absl::StatusCode::kNotFound || options_.require_data_files)) {
      return absl::InvalidArgumentError(path.status().message());
    }
  }
  auto strategy = search::MakeStrategy(spec);
  if (!strategy.ok()) return strategy.status();
  auto state = std::make_unique<SweepState>();
  state->spec = spec;
  state->strategy = *std::move(strategy);
  state->total = state->strategy->total();
  state->metric = search::ObjectiveMetric(spec);
  state->maximize = search::ObjectiveMaximized(spec);
  state->max_failed = spec.budget().max_failed();
  state->max_concurrent = spec.parallelism().max_concurrent();

  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError("the server is starting (recovering sweeps)");
  if (draining_) return absl::UnavailableError("the server is shutting down");
  if (static_cast<int32_t>(active_.size()) >= options_.max_active_sweeps) {
    return absl::ResourceExhaustedError(absl::StrCat(
        active_.size(), " sweeps are running, the server's limit (--max-active-sweeps); wait for "
        "one to finish or cancel one"));
  }
  const int64_t now = now_ms();
  state->created_ms = now;
  if (spec.budget().max_duration_seconds() > 0) {
    state->deadline_ms = now + static_cast<int64_t>(spec.budget().max_duration_seconds() * 1000);
  }
  int64_t rowid = 0;
  auto st = store_.Write([&](WriteTxn& w) {
    rowid = w.InsertSweep(spec, state->total, state->maximize, now);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  state->rowid = rowid;
  state->id = store::SweepPublicId(rowid);
  log::Info("sweep ", state->id, " '", spec.name(), "' submitted: ", state->total, " trials",
            state->strategy->note().empty() ? "" : absl::StrCat(" (", state->strategy->note(), ")"));
  SweepState& s = *state;
  active_.emplace(rowid, std::move(state));
  v1::Sweep out = SweepProto(s, true);
  MaybeFinish(s);  // an empty sweep ends at once
  lock.unlock();
  work_cv_.notify_all();
  return out;
}

// ------------------------------------------------------------------------- cancel

absl::StatusOr<v1::Sweep> Scheduler::Cancel(const std::string& sweep, bool graceful) {
  auto rec = Resolve(sweep);
  if (!rec.ok()) return rec.status();
  Lock lock(mu_);
  SweepState* s = Active(rec->rowid);
  if (!s) {
    return absl::FailedPreconditionError(absl::StrCat("sweep ", rec->sweep.id(), " has already finished (",
                                                      v1::SweepStatus_Name(rec->sweep.status()), ")"));
  }
  absl::Status ended;
  if (graceful) {
    if (!s->ending) ended = EndSweep(*s, v1::SWEEP_CANCELLED, "stopped by request", false);
  } else {
    ended = EndSweep(*s, v1::SWEEP_CANCELLED, "cancelled by request", true);
  }
  if (!ended.ok()) return ended;
  Overlay(&rec->sweep);
  if (Active(rec->rowid) == nullptr) {
    // Finished within EndSweep: return the final record.
    lock.unlock();
    return GetSweep(rec->sweep.id());
  }
  return std::move(rec->sweep);
}

absl::Status Scheduler::EndSweep(SweepState& s, v1::SweepStatus status, const std::string& reason,
                                 bool stop_running) {
  const int64_t now = now_ms();
  auto st = store_.Write([&](WriteTxn& w) {
    w.CancelPendingTrials(s.rowid, reason, now);
    if (stop_running) {
      for (const auto& [index, r] : s.running) {
        FlushEpochs(w, r);
        w.EndTrial(r.trial_id, r.attempt, v1::CANCELLED, reason, now);
      }
    }
    if (!s.running.empty() && !stop_running) w.SetSweepStatus(s.rowid, v1::SWEEP_STOPPING, reason);
    return absl::OkStatus();
  });
  if (!st.ok()) {
    log::Error("sweep ", s.id, ": cannot record its end (", reason, "): ", st.message());
    return st;
  }
  s.done.set_cancelled(s.done.cancelled() + s.unstarted() + static_cast<int64_t>(s.queued.size()));
  for (const auto& [index, q] : s.queued) EmitTrial(s, index, v1::CANCELLED, nullptr, reason, nullptr);
  s.queued.clear();
  if (!s.ending) {
    s.ending = true;
    s.end_status = status;
    s.end_reason = reason;
  }
  if (stop_running) {
    auto running = std::move(s.running);
    s.running.clear();
    for (const auto& [index, r] : running) {
      s.done.set_cancelled(s.done.cancelled() + 1);
      EmitTrial(s, index, v1::CANCELLED, &r, reason, nullptr);
    }
  }
  log::Info("sweep ", s.id, ": ", reason, stop_running || s.running.empty() ? "" : "; running trials finish");
  MaybeFinish(s);
  return absl::OkStatus();
}

void Scheduler::MaybeFinish(SweepState& s) {
  if (!s.running.empty()) return;
  if (!s.ending && (!s.queued.empty() || s.next_index < s.total)) return;
  v1::SweepStatus status = s.end_status;
  std::string reason = s.end_reason;
  if (!s.ending) {
    if (s.done.completed() == 0 && s.done.failed() > 0) {
      status = v1::SWEEP_FAILED;
      reason = absl::StrCat("every trial failed; last: ", s.last_failure);
    } else {
      status = v1::SWEEP_COMPLETED;
      reason = s.strategy->note();
    }
  }
  v1::Sweep final_state = SweepProto(s, false);
  final_state.mutable_counts()->set_pending(0);
  final_state.mutable_counts()->set_running(0);
  const int64_t now = now_ms();
  auto st = store_.Write([&](WriteTxn& w) {
    w.SetSweepTotal(s.rowid, s.total);
    w.FinishSweep(s.rowid, status, reason, final_state.counts(), now);
    return absl::OkStatus();
  });
  if (!st.ok()) {
    log::Error("sweep ", s.id, ": cannot record that it finished: ", st.message());
    return;
  }
  final_state.set_status(status);
  final_state.set_status_reason(reason);
  final_state.set_finished_ms(now);
  log::Info("sweep ", s.id, " ", v1::SweepStatus_Name(status), ": ", s.done.completed(), " completed, ",
            s.done.failed(), " failed, ", s.done.cancelled(), " cancelled",
            s.best ? absl::StrCat("; best ", s.metric, " ", Num(*s.best), " (trial ", s.best_trial, ")") : "",
            reason.empty() ? "" : absl::StrCat(" — ", reason));
  v1::SweepEvent event;
  event.set_time_ms(now);
  *event.mutable_sweep() = std::move(final_state);
  Emit(s, std::move(event));
  // The sweep's watchers are done.
  const int64_t rowid = s.rowid;
  auto range = watchers_by_sweep_.equal_range(rowid);
  for (auto it = range.first; it != range.second; ++it) watchers_.erase(it->second);
  watchers_by_sweep_.erase(rowid);
  active_.erase(rowid);  // s is gone
  work_cv_.notify_all();
}

// ------------------------------------------------------------------------ acquire

v1::Lease Scheduler::MakeLease(const SweepState& s, int64_t index, const RunningTrial& r) const {
  v1::Lease lease;
  auto* key = lease.mutable_key();
  key->set_sweep_id(s.id);
  key->set_index(index);
  key->set_attempt(r.attempt);
  *lease.mutable_dataset() = s.spec.dataset();
  for (const auto& [k, v] : r.params.items()) (*lease.mutable_params())[k] = JsonToValue(v);
  lease.set_seed(r.seed);
  lease.set_expires_ms(r.expires_ms);
  lease.set_objective_metric(s.metric);
  lease.set_objective_maximize(s.maximize);
  return lease;
}

absl::StatusOr<std::optional<v1::Lease>> Scheduler::Acquire(const std::string& worker_id,
                                                            const std::string& request_id) {
  if (worker_id.empty()) return absl::InvalidArgumentError("worker_id: required");
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError("the server is starting (recovering sweeps)");
  if (draining_) return std::optional<v1::Lease>();
  const int64_t now = now_ms();
  if (!request_id.empty()) {
    auto it = last_request_.find(worker_id);
    if (it != last_request_.end() && it->second.request_id == request_id) {
      // A retried call: the same lease again, if it is still held.
      auto held = Held(it->second.key);
      if (held.ok()) {
        held->second->expires_ms = now + options_.lease_ms;
        return std::optional<v1::Lease>(MakeLease(*held->first, it->second.key.index(), *held->second));
      }
      return std::optional<v1::Lease>();
    }
  }
  for (;;) {
    // Fair share: the sweep with the fewest running trials (then the one served
    // longest ago) among those with work and room under max_concurrent.
    SweepState* pick = nullptr;
    for (auto& [rowid, s] : active_) {
      if (!s->has_work()) continue;
      if (s->max_concurrent > 0 && static_cast<int32_t>(s->running.size()) >= s->max_concurrent) continue;
      if (s->deadline_ms > 0 && now >= s->deadline_ms) continue;
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
        MaybeFinish(s);
        continue;
      }
      index = s.next_index;
      insert = true;
      r.params = *std::move(params);
      r.seed = TrialSeed(s.spec, index);
    }
    r.worker = worker_id;
    r.started_ms = now;
    r.flushed_ms = now;
    r.expires_ms = now + options_.lease_ms;
    auto st = store_.Write([&](WriteTxn& w) {
      if (insert) r.trial_id = w.InsertTrial(s.rowid, index, r.params, r.seed, now);
      w.StartAttempt(r.trial_id, r.attempt, worker_id, r.expires_ms, now);
      return absl::OkStatus();
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

absl::StatusOr<v1::ReportProgressResponse> Scheduler::Report(const v1::ReportProgressRequest& request) {
  const auto& key = request.key();
  Lock lock(mu_);
  auto held = Held(key);
  if (!held.ok()) {
    // A trial stopped under this very attempt (cancelled, pruned, failed) is told to
    // stop; anything else is a stale attempt.
    lock.unlock();
    std::optional<v1::Trial> t;
    auto rowid = store::ParseSweepId(key.sweep_id());
    if (rowid) {
      (void)store_.Read([&](ReadTxn& r) {
        t = r.GetTrial(*rowid, key.index());
        return absl::OkStatus();
      });
    }
    if (t && t->attempt() == key.attempt() &&
        (t->status() == v1::CANCELLED || t->status() == v1::PRUNED || t->status() == v1::FAILED)) {
      v1::ReportProgressResponse reply;
      reply.set_directive(v1::STOP);
      reply.set_reason(absl::StrCat(v1::TrialStatus_Name(t->status()), ": ", t->failure_reason()));
      return reply;
    }
    return StaleLease(key, "progress report");
  }
  auto [s, r] = *held;
  const int64_t now = now_ms();
  v1::ReportProgressResponse reply;
  reply.set_directive(v1::CONTINUE);
  if (request.has_epoch()) {
    const auto& e = request.epoch();
    if (auto bad = NonFinite(e.metrics())) {
      const std::string reason = absl::StrCat("diverged: ", *bad, " at epoch ", e.epoch());
      if (auto st = FailTrial(*s, key.index(), reason); !st.ok()) return st;
      reply.set_directive(v1::STOP);
      reply.set_reason(reason);
      return reply;
    }
    r->unflushed.push_back(RunningTrial::Epoch{
        e, request.has_diagnostics() ? std::optional<v1::ActivationStats>(request.diagnostics()) : std::nullopt});
    if (now - r->flushed_ms >= kEpochFlushMs) {
      auto st = store_.Write([&](WriteTxn& w) {
        FlushEpochs(w, *r);
        return absl::OkStatus();
      });
      if (!st.ok()) {
        r->unflushed.pop_back();
        return st;
      }
      r->unflushed.clear();
      r->flushed_ms = now;
    }
    if (Watched(s->rowid)) {
      v1::SweepEvent event;
      event.set_time_ms(now);
      event.mutable_epoch()->set_trial(key.index());
      *event.mutable_epoch()->mutable_metrics() = e;
      *event.mutable_sweep() = SweepProto(*s, false);
      Emit(*s, std::move(event));
    }
  }
  r->expires_ms = now + options_.lease_ms;
  reply.set_expires_ms(r->expires_ms);
  if (s->deadline_ms > 0 && now >= s->deadline_ms && !s->ending) {
    (void)EndSweep(*s, v1::SWEEP_COMPLETED,
                   absl::StrCat("max_duration of ", Num(s->spec.budget().max_duration_seconds()), "s reached"), true);
    reply.set_directive(v1::STOP);
    reply.set_reason("max_duration reached");
  }
  return reply;
}

absl::Status Scheduler::Complete(const v1::CompleteTrialRequest& request) {
  const auto& key = request.key();
  Lock lock(mu_);
  auto held = Held(key);
  if (!held.ok()) return StaleLease(key, "completion");
  auto [s, r] = *held;
  if (auto bad = NonFinite(request.metrics())) {
    return FailTrial(*s, key.index(), absl::StrCat("diverged: final ", *bad));
  }
  auto obj = request.metrics().find(s->metric);
  if (obj == request.metrics().end()) {
    std::string have;
    for (const auto& [k, v] : request.metrics()) absl::StrAppend(&have, have.empty() ? "" : ", ", k);
    return FailTrial(*s, key.index(), absl::StrCat("the objective metric ", s->metric,
                                                   " was not reported (reported: ", have, ")"));
  }
  const double objective = obj->second;
  const std::map<std::string, double> metrics(request.metrics().begin(), request.metrics().end());
  const std::vector<v1::ActivationStats> diagnostics(request.diagnostics().begin(), request.diagnostics().end());
  const int64_t now = now_ms();
  auto st = store_.Write([&](WriteTxn& w) {
    FlushEpochs(w, *r);
    w.CompleteTrial(r->trial_id, r->attempt, objective, s->maximize, metrics, diagnostics,
                    request.parameter_count(), now);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  const int64_t index = key.index();
  RunningTrial done = std::move(*r);
  s->running.erase(index);
  s->done.set_completed(s->done.completed() + 1);
  if (s->better(objective)) {
    s->best = objective;
    s->best_trial = index;
  }
  s->strategy->Observe(index, objective);
  EmitTrial(*s, index, v1::COMPLETED, &done, "", &metrics);
  const auto& target = s->spec.objective();
  if (target.has_target() && !s->ending &&
      (s->maximize ? objective >= target.target() : objective <= target.target())) {
    (void)EndSweep(*s, v1::SWEEP_COMPLETED,
             absl::StrCat("target ", s->metric, " ", Num(target.target()), " reached by trial ", index,
                          " (", Num(objective), ")"),
             true);
  } else {
    MaybeFinish(*s);
  }
  lock.unlock();
  work_cv_.notify_all();
  return absl::OkStatus();
}

absl::Status Scheduler::Fail(const v1::FailTrialRequest& request) {
  const auto& key = request.key();
  Lock lock(mu_);
  auto held = Held(key);
  if (!held.ok()) return StaleLease(key, "failure report");
  SweepState& s = *held->first;
  const std::string reason = request.reason().empty() ? "failed (no reason given)" : request.reason();
  absl::Status st = request.permanent()
                        ? FailTrial(s, key.index(), reason)
                        : LoseLease(s, key.index(), absl::StrCat("handed back: ", reason), false);
  lock.unlock();
  work_cv_.notify_all();
  return st;
}

absl::Status Scheduler::FailTrial(SweepState& s, int64_t index, const std::string& reason) {
  RunningTrial& r = s.running.at(index);
  const int64_t now = now_ms();
  auto st = store_.Write([&](WriteTxn& w) {
    FlushEpochs(w, r);
    w.EndTrial(r.trial_id, r.attempt, v1::FAILED, reason, now);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  RunningTrial gone = std::move(r);
  s.running.erase(index);
  s.done.set_failed(s.done.failed() + 1);
  s.last_failure = reason;
  s.strategy->Observe(index, std::nullopt);
  log::Info("trial ", s.id, "/", index, " failed: ", reason);
  EmitTrial(s, index, v1::FAILED, &gone, reason, nullptr);
  if (s.max_failed > 0 && s.done.failed() >= s.max_failed && !s.ending) {
    (void)EndSweep(s, v1::SWEEP_FAILED,
             absl::StrCat(s.done.failed(), " trials failed (budget.max_failed is ", s.max_failed,
                          "); last: ", reason),
             true);
  } else {
    MaybeFinish(s);
  }
  return absl::OkStatus();
}

absl::Status Scheduler::LoseLease(SweepState& s, int64_t index, const std::string& outcome, bool counts) {
  RunningTrial& r = s.running.at(index);
  const int32_t lost = r.lost + (counts ? 1 : 0);
  if (counts && lost >= options_.max_attempts) {
    return FailTrial(s, index, absl::StrCat("lost its lease ", lost, " times (max attempts ",
                                            options_.max_attempts, "); last: ", outcome));
  }
  const int64_t now = now_ms();
  auto st = store_.Write([&](WriteTxn& w) {
    w.RequeueTrial(r.trial_id, r.attempt, lost, outcome, now);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  RunningTrial gone = std::move(r);
  s.running.erase(index);
  log::Info("trial ", s.id, "/", index, " attempt ", gone.attempt, " back to pending: ", outcome);
  EmitTrial(s, index, v1::PENDING, &gone, outcome, nullptr);
  if (s.ending) {
    // Nothing new starts: the requeued trial is cancelled with the rest.
    (void)store_.Write([&](WriteTxn& w) {
      w.CancelPendingTrials(s.rowid, s.end_reason, now);
      return absl::OkStatus();
    });
    s.done.set_cancelled(s.done.cancelled() + 1);
    MaybeFinish(s);
  } else {
    s.queued[index] = QueuedTrial{gone.trial_id, gone.attempt + 1, lost, std::move(gone.params), gone.seed};
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------- lifecycle

void Scheduler::Tick() {
  Lock lock(mu_);
  const int64_t now = now_ms();
  std::vector<int64_t> ids;
  for (const auto& [rowid, s] : active_) ids.push_back(rowid);
  bool freed = false;
  for (int64_t rowid : ids) {
    SweepState* s = Active(rowid);
    if (!s) continue;
    std::vector<int64_t> expired;
    for (const auto& [index, r] : s->running) {
      if (r.expires_ms <= now) expired.push_back(index);
    }
    for (int64_t index : expired) {
      if (!(s = Active(rowid)) || !s->running.count(index)) break;
      const std::string worker = s->running.at(index).worker;
      (void)LoseLease(*s, index, absl::StrCat("lease expired (worker ", worker, ")"), true);
      freed = true;
    }
    if ((s = Active(rowid)) && s->deadline_ms > 0 && now >= s->deadline_ms && !s->ending) {
      (void)EndSweep(*s, v1::SWEEP_COMPLETED,
                     absl::StrCat("max_duration of ", Num(s->spec.budget().max_duration_seconds()), "s reached"),
                     true);
      freed = true;
    }
  }
  lock.unlock();
  if (freed) work_cv_.notify_all();
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

// ------------------------------------------------------------------------ recover

absl::Status Scheduler::ResumeSweep(const store::SweepRecord& rec, ReadTxn& read) {
  auto state = std::make_unique<SweepState>();
  SweepState& s = *state;
  s.rowid = rec.rowid;
  s.id = rec.sweep.id();
  s.spec = rec.sweep.spec();
  s.metric = search::ObjectiveMetric(s.spec);
  s.maximize = rec.maximize;
  s.max_failed = s.spec.budget().max_failed();
  s.max_concurrent = s.spec.parallelism().max_concurrent();
  s.created_ms = rec.sweep.created_ms();
  if (s.spec.budget().max_duration_seconds() > 0) {
    s.deadline_ms = s.created_ms + static_cast<int64_t>(s.spec.budget().max_duration_seconds() * 1000);
  }
  auto strategy = search::MakeStrategy(s.spec);
  if (!strategy.ok()) return strategy.status();
  s.strategy = *std::move(strategy);
  s.total = std::min(rec.sweep.total_trials(), s.strategy->total());
  s.next_index = read.TrialsCreated(s.rowid);
  s.strategy->Skip(s.next_index);
  const v1::TrialCounts c = read.CountByStatus(s.rowid);
  s.done.set_completed(c.completed());
  s.done.set_failed(c.failed());
  s.done.set_pruned(c.pruned());
  s.done.set_cancelled(c.cancelled());
  auto best = read.BestTrials(s.rowid, 1);
  if (!best.empty()) {
    s.best = best[0].objective();
    s.best_trial = best[0].index();
  }
  if (rec.sweep.status() == v1::SWEEP_STOPPING) {
    // The trials never started were cancelled by the stop (they have no rows).
    s.done.set_cancelled(s.done.cancelled() + (s.total - s.next_index));
    s.ending = true;
    s.end_status = v1::SWEEP_CANCELLED;
    s.end_reason = rec.sweep.status_reason();
  }
  const int64_t now = now_ms();
  for (auto& t : read.OpenTrials(s.rowid)) {
    if (t.status == v1::PENDING) {
      s.queued[t.index] = QueuedTrial{t.trial_id, t.attempt, t.lost, std::move(t.params), t.seed};
      continue;
    }
    RunningTrial r{t.trial_id, t.attempt, t.lost, t.worker, t.started_ms, now + options_.lease_ms,
                   std::move(t.params), t.seed};
    s.running.emplace(t.index, std::move(r));
  }
  log::Info("sweep ", s.id, " resumed: ", s.next_index, " of ", s.total, " trials started, ",
            s.done.completed(), " completed, ", s.running.size(), " were running");
  active_.emplace(s.rowid, std::move(state));
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
      resumed = ResumeSweep(rec, r);
      return absl::OkStatus();
    });
    if (!read.ok()) return read;
    if (!resumed.ok()) {
      log::Error("sweep ", rec.sweep.id(), " cannot resume: ", resumed.message());
      const std::string reason = absl::StrCat("cannot resume after restart: ", resumed.message());
      const v1::TrialCounts counts = rec.sweep.counts();
      (void)store_.Write([&](WriteTxn& w) {
        w.CancelPendingTrials(rec.rowid, reason, now_ms());
        w.FinishSweep(rec.rowid, v1::SWEEP_FAILED, reason, counts, now_ms());
        return absl::OkStatus();
      });
    }
  }
  // The server's own slots died with the previous process: their trials run again.
  // (LoseLease may finish and remove a sweep, so walk ids, not the map.)
  std::vector<int64_t> ids;
  for (const auto& [rowid, s] : active_) ids.push_back(rowid);
  for (int64_t rowid : ids) {
    std::vector<int64_t> lost;
    if (SweepState* s = Active(rowid)) {
      for (const auto& [index, r] : s->running) {
        if (absl::StartsWith(r.worker, options_.embedded_prefix)) lost.push_back(index);
      }
    }
    for (int64_t index : lost) {
      SweepState* s = Active(rowid);
      if (s && s->running.count(index)) (void)LoseLease(*s, index, "server restarted", true);
    }
    if (SweepState* s = Active(rowid)) MaybeFinish(*s);
  }
  recovered_ = true;
  lock.unlock();
  work_cv_.notify_all();
  return absl::OkStatus();
}

// ------------------------------------------------------------------------- events

void Scheduler::EmitTrial(const SweepState& s, int64_t index, v1::TrialStatus status,
                          const RunningTrial* r, const std::string& reason,
                          const std::map<std::string, double>* metrics) {
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

absl::StatusOr<Scheduler::Watch> Scheduler::StartWatch(const std::string& sweep, Listener listener) {
  auto rec = Resolve(sweep);
  if (!rec.ok()) return rec.status();
  Lock lock(mu_);
  Watch w;
  SweepState* s = Active(rec->rowid);
  if (!s) {
    w.snapshot = std::move(rec->sweep);
    return w;
  }
  w.snapshot = SweepProto(*s, true);
  w.snapshot.set_name(rec->sweep.name());
  w.id = next_watch_++;
  watchers_.emplace(w.id, Watcher{rec->rowid, std::move(listener)});
  watchers_by_sweep_.emplace(rec->rowid, w.id);
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
