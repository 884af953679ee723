// The scheduler's construction, shared helpers and the user API (submit, cancel,
// read). Leases: leases.cc; how sweeps end: sweep_ending.cc; restart: recover.cc;
// watchers: events.cc.
#include "server/scheduler/scheduler.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/util/counted.h"
#include "common/util/did_you_mean.h"
#include "common/util/log.h"
#include "common/util/printable.h"
#include "common/util/rng.h"
#include "common/vocabulary/metrics.h"

namespace hpsearch::scheduler {

using store::ReadTxn;
using store::WriteTxn;

namespace {

int64_t SystemMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool Unfinished(const store::SweepRecord& s) { return !Finished(s.status); }

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

store::SweepRecord Scheduler::LiveRecord(const SweepState& s, bool with_spec) const {
  store::SweepRecord r;
  r.rowid = s.rowid;
  r.id = s.id;
  r.name = s.spec.name;
  if (with_spec) r.spec = s.spec_bytes;
  r.status = s.ending && !s.running.empty() ? SweepStatus::kStopping : SweepStatus::kRunning;
  if (s.ending) r.status_reason = s.end_reason;
  r.total_trials = s.total;
  r.maximize = s.maximize;
  r.created_ms = s.created_ms;
  r.counts = s.done;
  // Counts are rows (docs/cli.md): pending is what exists and waits; the planned
  // trials not drawn yet are not_started (to come; never, once the sweep is ending).
  r.counts.pending = static_cast<int64_t>(s.queued.size());
  r.not_started = std::max<int64_t>(0, s.total - s.next_index);
  r.counts.running = static_cast<int64_t>(s.running.size());
  r.best_objective = s.best;
  r.best_trial = s.best_trial;
  return r;
}

void Scheduler::AddBest(ReadTxn& r, store::SweepRecord* rec) {
  auto best = r.BestTrials(rec->rowid, 1);
  if (!best.empty()) {
    rec->best_objective = best[0].objective;
    rec->best_trial = best[0].index;
  }
}

absl::StatusOr<store::SweepRecord> Scheduler::Resolve(const std::string& sweep) {
  if (sweep.empty()) return absl::InvalidArgumentError("sweep: required (an id such as s-000001, or a name)");
  std::optional<store::SweepRecord> rec;
  std::string suggestion;
  auto st = store_.Read([&](ReadTxn& r) {
    rec = r.FindSweep(sweep);
    if (rec) AddBest(r, &*rec);
    if (!rec && !store::ParseSweepId(sweep)) suggestion = DidYouMean(sweep, r.RecentSweepNames(1000));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  if (!rec) return absl::NotFoundError(absl::StrCat("sweep ", Quoted(sweep), " not found", suggestion));
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

absl::StatusOr<store::SweepRecord> Scheduler::Current(const store::SweepRecord& rec, Lock& lock) {
  if (const SweepState* s = Active(rec.rowid)) {
    store::SweepRecord live = LiveRecord(*s, false);
    live.name = rec.name;
    live.spec = rec.spec;
    live.request_id = rec.request_id;
    return live;
  }
  // Not active: finished, perhaps after `rec` was read. A sweep leaves active_ only
  // after its final record committed, so a fresh read has it (before recovery, the
  // stored record is all there is).
  if (!Unfinished(rec) || !recovered_) return rec;
  lock.unlock();
  auto fresh = Reread(rec.rowid);
  lock.lock();
  return fresh;
}

absl::StatusOr<store::SweepRecord> Scheduler::GetSweep(const std::string& sweep) {
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

Scheduler::Load Scheduler::CurrentLoad() {
  Lock lock(mu_);
  Load load;
  for (const auto& [rowid, s] : active_) {
    load.running += static_cast<int64_t>(s->running.size());
    // What a worker could take: an external sweep's trials wait for asks, not workers.
    if (!s->spec.trainer.external()) load.pending += s->unstarted() + static_cast<int64_t>(s->queued.size());
  }
  return load;
}

absl::StatusOr<std::unique_ptr<search::Strategy>> Scheduler::MakeStrategy(const search::Spec& spec) const {
  return options_.make_strategy ? options_.make_strategy(spec) : search::MakeStrategy(spec);
}

absl::StatusOr<search::Spec> Scheduler::DecodeSpec(const std::string& encoded) const {
  if (!options_.decode_spec) return absl::FailedPreconditionError("no spec decoder configured");
  return options_.decode_spec(encoded);
}

// ------------------------------------------------------------------------- submit

absl::StatusOr<std::pair<search::Spec, std::string>> Scheduler::CompleteDataset(const search::Spec& spec,
                                                                                const std::string& encoded) const {
  std::pair<search::Spec, std::string> out{spec, encoded};
  if (!options_.check_dataset) return out;
  auto dataset = options_.check_dataset(spec.dataset);
  if (!dataset.ok()) return absl::InvalidArgumentError(dataset.status().message());
  if (vocabulary::TaskOf(*dataset) == vocabulary::Task::kUnknown && spec.objective.metric.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dataset.task: the server cannot read '", spec.dataset.path,
        "' (it has no embedded workers; the file is on the workers' machines), so it cannot tell classification "
        "from regression: set dataset.task, or objective.metric"));
  }
  if (dataset->task == spec.dataset.task) return out;
  out.first.dataset = *std::move(dataset);
  // The task is now known: the objective's default follows it, and a metric the task
  // does not report (val_accuracy on a regression file) is refused here, not by every trial.
  if (auto st = search::ValidateSpec(out.first, options_.limits); !st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(st.message(), " (", spec.dataset.path, " reads as ",
                                                   out.first.dataset.task, "; dataset.task overrides that)"));
  }
  if (options_.encode_spec) out.second = options_.encode_spec(out.first);
  return out;
}

absl::StatusOr<store::SweepRecord> Scheduler::Submit(const search::Spec& submitted, const std::string& submitted_bytes,
                                                     const std::string& request_id) {
  if (request_id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("request_id: at most ", kMaxIdBytes, " bytes"));
  }
  if (auto st = search::ValidateSpec(submitted, options_.limits); !st.ok()) return st;
  if (submitted.trainer.runs_command() && !options_.accepts_commands) {
    return absl::InvalidArgumentError(
        "trainer.command: this server runs no commands; start it with --commands DIR (the directory that holds "
        "your program; docs/operations.md, \"Your own code\")");
  }
  if (submitted.trainer.runs_command() && options_.check_program) {
    if (auto st = options_.check_program(submitted.trainer.command); !st.ok()) return st;
  }
  auto completed = CompleteDataset(submitted, submitted_bytes);
  if (!completed.ok()) return completed.status();
  const search::Spec& spec = completed->first;
  const std::string& encoded = completed->second;
  auto strategy = MakeStrategy(spec);
  if (!strategy.ok()) return strategy.status();
  auto state = std::make_unique<SweepState>();
  state->spec = spec;
  state->spec_bytes = encoded;
  state->strategy = *std::move(strategy);
  state->total = state->strategy->total();
  state->metric = search::ObjectiveMetric(spec);
  state->maximize = search::ObjectiveMaximized(spec);
  if (search::MultiObjective(spec)) state->objectives = search::ResolvedObjectives(spec);
  state->max_failed = spec.budget.max_failed;
  state->max_concurrent = spec.max_concurrent;
  state->pruner = search::MakePruner(spec, state->metric, state->maximize, search::MaxEpochs(spec));

  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError("the server is starting (recovering sweeps)");
  if (draining_) return absl::UnavailableError("the server is shutting down");
  state->serial = ++sweep_serial_;
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
      if (made->spec != encoded) {
        return absl::AlreadyExistsError(absl::StrCat("request_id ", Quoted(request_id), " already submitted sweep ",
                                                     made->id, " with a different spec"));
      }
      return Current(*made, lock);
    }
  }
  if (static_cast<int32_t>(active_.size()) >= options_.max_active_sweeps) {
    return absl::ResourceExhaustedError(
        absl::StrCat(active_.size(),
                     " sweeps are running, the server's limit (--max-active-sweeps); wait for "
                     "one to finish or cancel one"));
  }
  const int64_t now = now_ms();
  state->created_ms = now;
  if (spec.budget.max_duration_seconds > 0) {
    state->deadline_mono = mono_ms() + static_cast<int64_t>(spec.budget.max_duration_seconds * 1000);
  }
  int64_t rowid = 0;
  static const Commit kSubmit{"scheduler.submit.before_commit", "scheduler.submit.after_commit"};
  auto st = Write(kSubmit, [&](WriteTxn& w) {
    rowid = w.InsertSweep(spec.name, encoded, state->total, state->maximize, now, request_id);
  });
  if (!st.ok()) return st;
  state->rowid = rowid;
  state->id = store::SweepPublicId(rowid);
  log::Info("sweep ", state->id, " '", spec.name, "' submitted: ", state->total, " trials",
            state->strategy->note().empty() ? "" : absl::StrCat(" (", state->strategy->note(), ")"));
  SweepState& s = *state;
  active_.emplace(rowid, std::move(state));
  store::SweepRecord out = LiveRecord(s, true);
  out.request_id = request_id;
  (void)FinishIfDone(s);  // an empty sweep ends at once (or at the next Tick)
  lock.unlock();
  work_cv_.notify_all();
  return out;
}

// ------------------------------------------------------------------------- cancel

absl::StatusOr<store::SweepRecord> Scheduler::Cancel(const std::string& sweep, bool graceful) {
  auto rec = Resolve(sweep);
  if (!rec.ok()) return rec.status();
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError("the server is starting (recovering sweeps)");
  SweepState* s = Active(rec->rowid);
  if (!s) {
    auto final_state = Current(*rec, lock);
    if (!final_state.ok()) return final_state.status();
    return absl::FailedPreconditionError(
        absl::StrCat("sweep ", final_state->id, " has already finished (", Name(final_state->status), ")"));
  }
  static const Commit kCancel{"scheduler.cancel.before_commit", "scheduler.cancel.after_commit"};
  if (!(graceful && s->ending)) {
    const Ending ending{SweepStatus::kCancelled, graceful ? "stopped by request" : "cancelled by request", !graceful};
    if (auto st = EndSweep(*s, ending, kCancel); !st.ok()) return st;
  }
  auto out = Current(*rec, lock);
  lock.unlock();
  work_cv_.notify_all();
  return out;
}

// ------------------------------------------------------------------------- delete

absl::StatusOr<store::SweepRecord> Scheduler::Delete(const std::string& sweep) {
  auto rec = Resolve(sweep);
  if (!rec.ok()) return rec.status();
  Lock lock(mu_);
  if (!recovered_) return absl::UnavailableError("the server is starting (recovering sweeps)");
  if (const SweepState* s = Active(rec->rowid)) {
    return absl::FailedPreconditionError(absl::StrCat("sweep ", s->id, " is ", s->ending ? "stopping" : "running",
                                                      ": cancel it first (hpsearch cancel ", s->id,
                                                      "), then delete it"));
  }
  auto gone = Current(*rec, lock);
  if (!gone.ok()) return gone.status();
  static const Commit kDelete{"scheduler.delete.before_commit", "scheduler.delete.after_commit"};
  if (auto st = Write(kDelete, [&](WriteTxn& w) { w.DeleteSweep(rec->rowid); }); !st.ok()) return st;
  log::Info("sweep ", gone->id, " '", gone->name, "' deleted (", Counted(gone->total_trials, "trial"), ")");
  if (options_.on_deleted) options_.on_deleted(gone->id);
  return gone;
}

}  // namespace hpsearch::scheduler
