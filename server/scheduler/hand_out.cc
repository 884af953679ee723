// Handing out leases: the sweep a worker (or an asking client) is served from by fair
// share, its next configuration (queued, or drawn from the strategy without the lock),
// and the lease written before it is returned. Reports on a lease: leases.cc.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/util/secret.h"
#include "search/command_spec.h"
#include "search/enqueued.h"
#include "search/search_space.h"
#include "server/scheduler/fair_share.h"
#include "server/scheduler/scheduler.h"

namespace hpsearch::scheduler {

using store::WriteTxn;

namespace {

// Whether a worker of `capacity` can run a trial of `spec`: a command needs a worker
// started with --commands and room for its slots.
// An external sweep's trials go only to an ask for that sweep, and an ask takes only
// them.
bool Runs(const WorkerCapacity& capacity, const SweepState& s) {
  const search::Spec& spec = s.spec;
  if (spec.trainer.external() || !capacity.ask_sweep.empty()) {
    return spec.trainer.external() && capacity.ask_sweep == s.id;
  }
  if (spec.trainer.builtin()) return true;
  return capacity.runs_commands && spec.trainer.command.slots <= std::max(capacity.free_slots, 1);
}

}  // namespace

Lease Scheduler::MakeLease(const SweepState& s, const RunningTrial& r) const {
  Lease lease;
  lease.key = LeaseKey{s.id, r.trial.index, r.trial.attempt, r.trial.lease_id};
  lease.dataset = s.spec.dataset;
  lease.params = r.trial.params;
  lease.seed = r.trial.seed;
  lease.expires_ms = ExpiresWall(r);
  lease.lease_ms = options_.lease_ms;
  lease.objective_metric = s.metric;
  lease.objective_maximize = s.maximize;
  if (s.spec.trainer.runs_command()) lease.command = s.spec.trainer.command;
  return lease;
}

// ------------------------------------------------------------------------ acquire

absl::StatusOr<std::optional<Lease>> Scheduler::Acquire(const std::string& worker_id, const std::string& request_id,
                                                        const WorkerCapacity& capacity) {
  if (worker_id.empty()) return absl::InvalidArgumentError("worker_id: required");
  if (worker_id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("worker_id: at most ", kMaxIdBytes, " bytes"));
  }
  if (request_id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("request_id: at most ", kMaxIdBytes, " bytes"));
  }
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError(kStarting);
  Seen(worker_id);
  if (draining_) return std::optional<Lease>();
  if (!request_id.empty()) {
    auto it = last_request_.find(worker_id);
    if (it != last_request_.end() && it->second.request_id == request_id) {
      // A retried call: the same lease again, if it is still held.
      auto held = Held(it->second.key);
      if (!held.ok()) return std::optional<Lease>();
      held->second->expires_mono = mono_ms() + options_.lease_ms;
      return std::optional<Lease>(MakeLease(*held->first, *held->second));
    }
  }
  return LeaseNext(worker_id, request_id, capacity, lock);
}

ShareCandidate Scheduler::Candidate(const SweepState& s) const {
  const int64_t mono = mono_ms();
  return ShareCandidate{s.rowid,
                        s.has_work(),
                        static_cast<int64_t>(s.running.size()),
                        s.max_concurrent,
                        s.deadline_mono > 0 && mono >= s.deadline_mono,
                        s.last_served};
}

Scheduler::Drawn Scheduler::NextConfiguration(int64_t rowid, Lock& lock, std::optional<Params>* out) {
  for (;;) {
    SweepState* s = Active(rowid);
    if (!s || s->suggesting || !CanServe(Candidate(*s)) || draining_) return Drawn::kRetry;
    search::Strategy::PreparedNext job = s->strategy->PrepareNext();
    if (!job) {
      *out = s->strategy->Next();
      return Drawn::kDrawn;
    }
    const uint64_t serial = s->serial;
    s->suggesting = true;
    lock.unlock();
    std::optional<Params> result = job.run();
    lock.lock();
    s = Active(rowid);
    const bool same = s && s->serial == serial;
    if (same) s->suggesting = false;
    suggest_cv_.notify_all();
    // What changed meanwhile decides: the suggestion is taken only by the copy it was
    // made for, while it still wants trials.
    if (!same || !CanServe(Candidate(*s)) || draining_) return Drawn::kRetry;
    if (auto taken = s->strategy->AcceptNext(job, std::move(result))) {
      *out = std::move(taken);
      return Drawn::kDrawn;
    }
  }
}

std::optional<int64_t> Scheduler::PickSweep(const WorkerCapacity& capacity, bool* drawing) const {
  // A sweep whose next trial is being drawn (without the lock) waits its turn: the
  // others are served meanwhile, and only when none can be does the caller wait.
  std::vector<ShareCandidate> candidates;
  candidates.reserve(active_.size());
  *drawing = false;
  for (const auto& [rowid, s] : active_) {
    candidates.push_back(Candidate(*s));
    if (!Runs(capacity, *s)) {
      candidates.back().has_work = false;  // a command trial for a worker that cannot take it
      continue;
    }
    if (s->suggesting && s->queued.empty()) {
      *drawing = *drawing || CanServe(candidates.back());
      candidates.back().has_work = false;
    }
  }
  return FairShare(candidates);
}

absl::StatusOr<Lease> Scheduler::LeaseTrial(SweepState& s, store::TrialRecord trial, Origin origin,
                                            const std::string& worker_id, const std::string& request_id) {
  const bool from_queue = origin == Origin::kQueued, enqueued = origin == Origin::kEnqueued;
  static const Commit kAcquire{"scheduler.acquire.before_commit", "scheduler.acquire.after_commit"};
  RunningTrial r;
  r.trial = std::move(trial);
  const bool insert = r.trial.trial_id == 0;  // the trial has no row yet
  const int64_t now = now_ms();
  const int64_t mono = mono_ms();
  r.trial.status = TrialStatus::kRunning;
  r.trial.worker = worker_id;
  r.trial.lease_id = RandomId128();
  r.trial.started_ms = now;
  r.flushed_mono = mono;
  r.expires_mono = mono + options_.lease_ms;
  const int64_t expires_wall = now + options_.lease_ms;
  auto st = Write(kAcquire, [&](WriteTxn& w) {
    if (insert) r.trial.trial_id = w.InsertTrial(s.rowid, r.trial.index, r.trial.params, r.trial.seed, now, enqueued);
    w.StartAttempt(r.trial.trial_id, r.trial.attempt, worker_id, expires_wall, now, request_id, r.trial.lease_id);
  });
  if (!st.ok()) {
    if (origin == Origin::kDrawn) {
      // Keep the strategy's sequence intact: park the drawn configuration.
      store::TrialRecord parked = r.trial;
      parked.trial_id = 0;
      parked.status = TrialStatus::kPending;
      parked.worker.clear();
      s.queued[parked.index] = std::move(parked);
      s.next_index++;
    }
    return st;
  }
  if (from_queue) {
    s.queued.erase(s.queued.begin());
  } else {
    s.next_index++;
  }
  if (enqueued) {
    ++s.enqueued;
    ++s.total;
  }
  s.last_served = ++serve_seq_;
  const int64_t index = r.trial.index;
  auto [it, inserted] = s.running.insert_or_assign(index, std::move(r));
  Lease lease = MakeLease(s, it->second);
  last_request_[worker_id] = LastRequest{request_id, lease.key};
  s.strategy->Observe(Observed(it->second.trial, search::TrialState::kRunning));
  EmitTrial(s, it->second.trial, TrialStatus::kRunning, "", nullptr);
  return lease;
}

absl::StatusOr<std::optional<Lease>> Scheduler::LeaseNext(const std::string& worker_id, const std::string& request_id,
                                                          const WorkerCapacity& capacity, Lock& lock) {
  for (;;) {
    bool drawing = false;
    const auto picked = PickSweep(capacity, &drawing);
    if (!picked && drawing) {
      suggest_cv_.wait(lock);
      if (draining_) return std::optional<Lease>();
      continue;
    }
    if (!picked) return std::optional<Lease>();
    const bool from_queue = !active_.at(*picked)->queued.empty();
    std::optional<Params> params;
    if (!from_queue && NextConfiguration(*picked, lock, &params) == Drawn::kRetry) {
      if (draining_) return std::optional<Lease>();
      continue;  // the sweep changed while its suggestion was computed: pick again
    }
    SweepState& s = *active_.at(*picked);
    store::TrialRecord trial;
    if (from_queue) {
      trial = s.queued.begin()->second;
    } else if (!params) {
      // A random search found the space exhausted before its budget.
      s.total = s.next_index;
      (void)FinishIfDone(s);  // may remove s
      continue;
    } else {
      trial.sweep_id = s.id;
      trial.index = s.next_index;
      trial.params = *std::move(params);
      trial.seed = search::TrialSeed(s.spec, trial.index);
      trial.attempt = 1;
    }
    auto lease = LeaseTrial(s, std::move(trial), from_queue ? Origin::kQueued : Origin::kDrawn, worker_id, request_id);
    if (!lease.ok()) return lease.status();
    return std::optional<Lease>(*std::move(lease));
  }
}

absl::StatusOr<Scheduler::Asked> Scheduler::Ask(const std::string& sweep, const std::string& client_id,
                                                const std::string& request_id, const Params* enqueue) {
  if (absl::StartsWith(client_id, options_.embedded_prefix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("client_id: '", options_.embedded_prefix, "...' names the server's own slots"));
  }
  const auto refuse = [](const std::string& id, const search::Spec& spec) {
    return absl::FailedPreconditionError(
        absl::StrCat("sweep ", id, " runs its trials on the server's ",
                     spec.trainer.runs_command() ? "workers (trainer.command)" : "workers (the built-in trainer)",
                     ": only a sweep with `trainer: external` hands its trials to the client that asks"));
  };
  // The common case, a running sweep asked for by id, reads nothing from the store:
  // an ask is one write (the lease), as a worker's acquire is.
  std::optional<int64_t> rowid = store::ParseSweepId(sweep);
  {
    Lock lock(mu_);
    const SweepState* s = rowid ? Active(*rowid) : nullptr;
    if (s != nullptr && !s->spec.trainer.external()) return refuse(s->id, s->spec);
    if (s == nullptr) rowid.reset();
  }
  if (!rowid) {  // by name, or a sweep that is not running
    auto rec = Resolve(sweep);
    if (!rec.ok()) return rec.status();
    auto spec = DecodeSpec(rec->spec);
    if (!spec.ok()) return spec.status();
    if (!spec->trainer.external()) return refuse(rec->id, *spec);
    rowid = rec->rowid;
  }
  if (enqueue) return AskEnqueued(*rowid, client_id, request_id, *enqueue);
  WorkerCapacity capacity;
  capacity.ask_sweep = store::SweepPublicId(*rowid);
  Asked out;
  auto lease = Acquire(client_id, request_id, capacity);
  if (!lease.ok()) return lease.status();
  out.lease = *std::move(lease);
  Lock lock(mu_);
  if (const SweepState* s = Active(*rowid)) {
    out.handed_out = !out.lease && !s->has_work();
    out.sweep = LiveRecord(*s, false);
    return out;
  }
  out.finished = !out.lease;
  lock.unlock();
  auto rec = Reread(*rowid);
  if (!rec.ok()) return rec.status();
  out.sweep = *std::move(rec);
  return out;
}

absl::StatusOr<Scheduler::Asked> Scheduler::AskEnqueued(int64_t rowid, const std::string& client_id,
                                                        const std::string& request_id, const Params& enqueue) {
  if (client_id.size() > kMaxIdBytes || request_id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("client_id, request_id: at most ", kMaxIdBytes, " bytes"));
  }
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError(kStarting);
  Seen(client_id);
  Asked out;
  if (!request_id.empty()) {
    auto it = last_request_.find(client_id);
    if (it != last_request_.end() && it->second.request_id == request_id) {
      // A retried ask: the trial it made, if its lease is still held.
      if (auto held = Held(it->second.key); held.ok()) {
        held->second->expires_mono = mono_ms() + options_.lease_ms;
        out.lease = MakeLease(*held->first, *held->second);
        out.sweep = LiveRecord(*held->first, false);
        return out;
      }
    }
  }
  SweepState* s = Active(rowid);
  if (s == nullptr || s->ending || draining_) {
    return absl::FailedPreconditionError(
        absl::StrCat("sweep ", store::SweepPublicId(rowid), s == nullptr ? " has ended" : " is ending",
                     draining_ ? " (the server is shutting down)" : "",
                     ": an enqueued trial joins a running sweep (extend a finished one first)"));
  }
  auto space = search::SearchSpace::Build(s->spec);
  if (!space.ok()) return space.status();
  store::TrialRecord trial;
  trial.sweep_id = s->id;
  trial.index = s->next_index;
  trial.seed = search::TrialSeed(s->spec, trial.index);
  trial.attempt = 1;
  // The parameters not given: drawn by (seed, index), so a retried ask draws the same.
  Rng rng(DeriveSeed(s->spec.seed ^ 0x3e9a7c15d2b48f60ull, static_cast<uint64_t>(trial.index)));
  auto params = search::EnqueuedConfiguration(*space, enqueue, rng);
  if (!params.ok()) return params.status();
  trial.params = *std::move(params);
  auto lease = LeaseTrial(*s, std::move(trial), Origin::kEnqueued, client_id, request_id);
  if (!lease.ok()) return lease.status();
  out.lease = *std::move(lease);
  out.sweep = LiveRecord(*s, false);
  return out;
}

}  // namespace hpsearch::scheduler
