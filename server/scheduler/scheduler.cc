// The scheduler's construction, shared helpers and the user API (submit, cancel,
// read). Leases: leases.cc; how sweeps end: sweep_ending.cc; restart: recover.cc;
// watchers: events.cc.
#include "scheduler/scheduler.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "util/log.h"
#include "util/rng.h"

namespace hpsearch::scheduler {

namespace v1 = hpsearch::v1;
using store::ReadTxn;
using store::WriteTxn;

uint64_t TrialSeed(const v1::SweepSpec& spec, int64_t index) {
  return DeriveSeed(spec.seed(), static_cast<uint64_t>(index));
}

namespace {

int64_t SystemMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool Unfinished(const v1::Sweep& s) { return s.status() == v1::SWEEP_RUNNING || s.status() == v1::SWEEP_STOPPING; }

}  // namespace

Scheduler::Scheduler(store::Store& store, SchedulerOptions options) : store_(store), options_(std::move(options)) {
  if (!options_.clock) options_.clock = SystemMs;
  if (!options_.monotonic_clock) options_.monotonic_clock = SteadyMs;
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

void Scheduler::AddBest(ReadTxn& r, store::SweepRecord* rec) {
  auto best = r.BestTrials(rec->rowid, 1);
  if (!best.empty()) {
    rec->sweep.set_best_objective(best[0].objective());
    rec->sweep.set_best_trial(best[0].index());
  }
}

absl::StatusOr<store::SweepRecord> Scheduler::Resolve(const std::string& sweep) {
  if (sweep.empty()) return absl::InvalidArgumentError("sweep: required (an id such as s-000001, or a name)");
  std::optional<store::SweepRecord> rec;
  auto st = store_.Read([&](ReadTxn& r) {
    rec = r.FindSweep(sweep);
    if (rec) AddBest(r, &*rec);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  if (!rec) return absl::NotFoundError(absl::StrCat("sweep '", sweep, "' not found"));
  return *std::move(rec);
}

absl::StatusOr<store::SweepRecord> Scheduler::Reread(int64_t rowid) {
  std::optional<store::SweepRecord> rec;
  auto st = store_.Read([&](ReadTxn& r) {
    rec = r.SweepById(rowid);
    if (rec) AddBest(r, &*rec);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  if (!rec) return absl::NotFoundError(absl::StrCat("sweep ", store::SweepPublicId(rowid), " no longer exists"));
  return *std::move(rec);
}

absl::StatusOr<v1::Sweep> Scheduler::Current(const store::SweepRecord& rec, Lock& lock) {
  if (const SweepState* s = Active(rec.rowid)) {
    v1::Sweep live = SweepProto(*s, false);
    live.set_name(rec.sweep.name());
    *live.mutable_spec() = rec.sweep.spec();
    return live;
  }
  // Not active: finished, perhaps after `rec` was read. A sweep leaves active_ only
  // after its final record committed, so a fresh read has it (before recovery, the
  // stored record is all there is).
  if (!Unfinished(rec.sweep) || !recovered_) return rec.sweep;
  lock.unlock();
  auto fresh = Reread(rec.rowid);
  lock.lock();
  if (!fresh.ok()) return fresh.status();
  return std::move(fresh->sweep);
}

absl::StatusOr<v1::Sweep> Scheduler::GetSweep(const std::string& sweep) {
  auto rec = Resolve(sweep);
  if (!rec.ok()) return rec.status();
  Lock lock(mu_);
  return Current(*rec, lock);
}

absl::StatusOr<SweepPage> Scheduler::ListSweeps(int64_t offset, int32_t limit) {
  std::vector<store::SweepRecord> recs;
  int64_t count = 0;
  auto st = store_.Read([&](ReadTxn& r) {
    count = r.CountSweeps();
    recs = r.ListSweeps(offset, limit);
    for (auto& rec : recs) AddBest(r, &rec);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  SweepPage page;
  Lock lock(mu_);
  for (const auto& rec : recs) {
    auto s = Current(rec, lock);
    if (!s.ok()) return s.status();
    page.sweeps.push_back(*std::move(s));
  }
  if (offset + static_cast<int64_t>(page.sweeps.size()) < count) page.next_offset = offset + page.sweeps.size();
  return page;
}

// ------------------------------------------------------------------------- submit

absl::StatusOr<v1::Sweep> Scheduler::Submit(const v1::SweepSpec& spec, const std::string& request_id) {
  if (request_id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("request_id: at most ", kMaxIdBytes, " bytes"));
  }
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
  if (!request_id.empty()) {
    // A retry of a submission whose reply was lost: the sweep it made.
    std::optional<store::SweepRecord> made;
    auto st = store_.Read([&](ReadTxn& r) {
      made = r.SweepByRequest(request_id);
      if (made) AddBest(r, &*made);
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    if (made) {
      if (!google::protobuf::util::MessageDifferencer::Equals(made->sweep.spec(), spec)) {
        return absl::AlreadyExistsError(absl::StrCat("request_id '", request_id, "' already submitted sweep ",
                                                     made->sweep.id(), " with a different spec"));
      }
      auto current = Current(*made, lock);
      if (current.ok()) *current->mutable_spec() = made->sweep.spec();
      return current;
    }
  }
  if (static_cast<int32_t>(active_.size()) >= options_.max_active_sweeps) {
    return absl::ResourceExhaustedError(absl::StrCat(
        active_.size(), " sweeps are running, the server's limit (--max-active-sweeps); wait for "
        "one to finish or cancel one"));
  }
  const int64_t now = now_ms();
  state->created_ms = now;
  if (spec.budget().max_duration_seconds() > 0) {
    state->deadline_mono = mono_ms() + static_cast<int64_t>(spec.budget().max_duration_seconds() * 1000);
  }
  int64_t rowid = 0;
  static const Commit kSubmit{"scheduler.submit.before_commit", "scheduler.submit.after_commit"};
  auto st = Write(kSubmit, [&](WriteTxn& w) {
    rowid = w.InsertSweep(spec, state->total, state->maximize, now, request_id);
  });
  if (!st.ok()) return st;
  state->rowid = rowid;
  state->id = store::SweepPublicId(rowid);
  log::Info("sweep ", state->id, " '", spec.name(), "' submitted: ", state->total, " trials",
            state->strategy->note().empty() ? "" : absl::StrCat(" (", state->strategy->note(), ")"));
  SweepState& s = *state;
  active_.emplace(rowid, std::move(state));
  v1::Sweep out = SweepProto(s, true);
  (void)FinishIfDone(s);  // an empty sweep ends at once (or at the next Tick)
  lock.unlock();
  work_cv_.notify_all();
  return out;
}

// ------------------------------------------------------------------------- cancel

absl::StatusOr<v1::Sweep> Scheduler::Cancel(const std::string& sweep, bool graceful) {
  auto rec = Resolve(sweep);
  if (!rec.ok()) return rec.status();
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError("the server is starting (recovering sweeps)");
  SweepState* s = Active(rec->rowid);
  if (!s) {
    auto final_state = Current(*rec, lock);
    if (!final_state.ok()) return final_state.status();
    return absl::FailedPreconditionError(absl::StrCat("sweep ", final_state->id(), " has already finished (",
                                                      v1::SweepStatus_Name(final_state->status()), ")"));
  }
  static const Commit kCancel{"scheduler.cancel.before_commit", "scheduler.cancel.after_commit"};
  if (!(graceful && s->ending)) {
    const Ending ending{v1::SWEEP_CANCELLED, graceful ? "stopped by request" : "cancelled by request", !graceful};
    if (auto st = EndSweep(*s, ending, kCancel); !st.ok()) return st;
  }
  auto out = Current(*rec, lock);
  lock.unlock();
  work_cv_.notify_all();
  return out;
}

}  // namespace hpsearch::scheduler
