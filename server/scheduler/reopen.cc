// A sweep gets more to do after it was planned: extend (more trials or more time)
// and retry (failed or cancelled trials run again). Both change the store in one
// transaction and then rebuild the sweep's working copy from it exactly as a restart
// would (LoadSweep), so a running sweep, a finished one and one recovered after a
// crash all continue the same way: the search resumes from its stored history.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/util/log.h"
#include "server/scheduler/scheduler.h"

namespace hpsearch::scheduler {

using store::ReadTxn;
using store::WriteTxn;

namespace {

std::string Seconds(double s) { return absl::StrFormat("%.6g", s); }

// The unix ms a sweep's time limit ends at (0: none).
int64_t LimitEnds(const search::Spec& spec, int64_t created_ms) {
  const double limit = spec.budget.max_duration_seconds;
  return limit > 0 ? created_ms + static_cast<int64_t>(limit * 1000) : 0;
}

}  // namespace

absl::Status Scheduler::Reopenable(const store::SweepRecord& rec, const std::string& verb) {
  if (!recovered_) return absl::UnavailableError("the server is starting (recovering sweeps)");
  if (draining_) return absl::UnavailableError("the server is shutting down");
  if (const SweepState* s = Active(rec.rowid)) {
    if (s->ending) {
      return absl::FailedPreconditionError(absl::StrCat("sweep ", s->id, " is stopping (", s->end_reason,
                                                        "): wait until it has finished, then ", verb, " it"));
    }
  } else if (static_cast<int32_t>(active_.size()) >= options_.max_active_sweeps) {
    return absl::ResourceExhaustedError(absl::StrCat(active_.size(),
                                                     " sweeps are running, the server's limit "
                                                     "(--max-active-sweeps); wait for one to finish"));
  }
  return absl::OkStatus();
}

absl::Status Scheduler::Reopen(const store::SweepRecord& rec, const std::function<void(WriteTxn&)>& change,
                               const Commit& points) {
  SweepState* s = Active(rec.rowid);
  auto st = Write(points, [&](WriteTxn& w) {
    if (s) {
      for (const auto& [index, r] : s->running) FlushEpochs(w, r);
    }
    change(w);
  });
  if (!st.ok()) return st;
  // What the store does not know: when each lease expires.
  std::map<int64_t, int64_t> expires;
  int64_t last_served = 0;
  if (s) {
    for (auto& [index, r] : s->running) {
      r.unflushed.clear();
      expires[index] = r.expires_mono;
    }
    last_served = s->last_served;
  }
  absl::StatusOr<std::unique_ptr<SweepState>> fresh = absl::NotFoundError(absl::StrCat("sweep ", rec.id, " is gone"));
  auto read = store_.Read([&](ReadTxn& r) {
    if (auto now = r.SweepById(rec.rowid)) fresh = LoadSweep(*now, r);
    return absl::OkStatus();
  });
  if (!read.ok()) fresh = read;
  if (!fresh.ok()) {
    // The change is written; a restart resumes the sweep with it. A finished sweep
    // that cannot be resumed now ends again rather than linger as running.
    log::Error("sweep ", rec.id, ": cannot resume it after the change: ", fresh.status().message());
    if (!s) (void)AbandonSweep(rec, std::string(fresh.status().message()));
    return fresh.status();
  }
  for (auto& [index, r] : (*fresh)->running) {
    if (auto it = expires.find(index); it != expires.end()) r.expires_mono = it->second;
  }
  (*fresh)->last_served = last_served;
  active_.erase(rec.rowid);  // watchers are kept: they are the event hub's, by rowid
  active_.emplace(rec.rowid, *std::move(fresh));
  return absl::OkStatus();
}

namespace {

// Trials an ask enqueued in a sweep, as stored.
absl::StatusOr<int64_t> EnqueuedTrials(store::Store& store, int64_t rowid) {
  int64_t n = 0;
  auto st = store.Read([&](ReadTxn& r) {
    n = r.EnqueuedTrials(rowid);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return n;
}

}  // namespace

absl::StatusOr<store::SweepRecord> Scheduler::Extend(const std::string& sweep, const Extension& more) {
  if (more.trials < 0) return absl::InvalidArgumentError("trials: must be positive");
  if (!std::isfinite(more.seconds) || more.seconds < 0) return absl::InvalidArgumentError("duration: must be positive");
  if (more.trials == 0 && more.seconds == 0) {
    return absl::InvalidArgumentError("give trials, duration or both: how much more the sweep may run");
  }
  if (!options_.encode_spec) return absl::FailedPreconditionError("no spec encoder configured");
  auto rec = Resolve(sweep);
  if (!rec.ok()) return rec.status();
  Lock lock(mu_);
  if (auto st = Reopenable(*rec, "extend"); !st.ok()) return st;
  const SweepState* s = Active(rec->rowid);
  const bool running = s != nullptr;
  if (!s) {
    // Finished while we were resolving it, perhaps: its final record.
    auto final_rec = Reread(rec->rowid);
    if (!final_rec.ok()) return final_rec.status();
    *rec = *std::move(final_rec);
  }
  auto decoded = s ? absl::StatusOr<search::Spec>(s->spec) : DecodeSpec(rec->spec);
  if (!decoded.ok()) return decoded.status();
  search::Spec spec = *std::move(decoded);
  const int64_t total = s ? s->total : rec->total_trials;
  // Enqueued trials came on top of the strategy's: its budget is the rest.
  auto counted = s ? absl::StatusOr<int64_t>(s->enqueued) : EnqueuedTrials(store_, rec->rowid);
  if (!counted.ok()) return counted.status();
  const int64_t enqueued = *counted;
  const int64_t now = now_ms();
  if (more.trials > 0) spec.budget.max_trials = total - enqueued + more.trials;
  double& limit = spec.budget.max_duration_seconds;
  if (more.seconds > 0) {
    if (s && limit <= 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "sweep ", rec->id, " has no time limit (budget.max_duration_seconds): there is no time to extend"));
    }
    // A running sweep's limit moves; a finished one gets `seconds` from now.
    limit = s ? limit + more.seconds : static_cast<double>(now - rec->created_ms) / 1000.0 + more.seconds;
  } else if (!s && LimitEnds(spec, rec->created_ms) > 0 && LimitEnds(spec, rec->created_ms) <= now) {
    return absl::FailedPreconditionError(absl::StrCat("sweep ", rec->id, " has used up its time limit (",
                                                      "budget.max_duration_seconds: ", Seconds(limit),
                                                      "): give a duration too"));
  }
  if (auto st = search::ValidateSpec(spec, options_.limits); !st.ok()) return st;
  auto strategy = MakeStrategy(spec);
  if (!strategy.ok()) return strategy.status();
  const int64_t new_total = std::max(total, (*strategy)->total() + enqueued);
  if (more.trials > 0 && new_total <= total) {
    return absl::FailedPreconditionError(
        spec.method == search::Method::kGrid
            ? absl::StrCat("sweep ", rec->id, " already plans all ", total,
                           " points of its grid (a grid runs each point once); submit a sweep with more values")
            : absl::StrCat("sweep ", rec->id, " already plans every configuration its space has (", total, ")"));
  }
  int64_t created = 0;
  if (!s) {
    auto st = store_.Read([&](ReadTxn& r) {
      created = r.TrialsCreated(rec->rowid);
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    if (more.trials == 0 && created >= total) {
      return absl::FailedPreconditionError(absl::StrCat("sweep ", rec->id, " has run all its ", total,
                                                        " trials: more time alone adds none; give trials too"));
    }
  }
  const std::string encoded = options_.encode_spec(spec);
  static const Commit kExtend{"scheduler.extend.before_commit", "scheduler.extend.after_commit"};
  if (auto st = Reopen(
          *rec, [&](WriteTxn& w) { w.ReopenSweep(rec->rowid, encoded, new_total, now_ms()); }, kExtend);
      !st.ok()) {
    return st;
  }
  rec->spec = encoded;  // the answer's spec is the extended one
  log::Info("sweep ", rec->id, " extended", running ? "" : " (reopened)", ": ", new_total, " trials",
            limit > 0 ? absl::StrCat(", max_duration ", Seconds(limit), "s") : "",
            running ? "" : absl::StrCat("; ", new_total - created, " to run"));
  auto out = Current(*rec, lock);
  lock.unlock();
  work_cv_.notify_all();
  return out;
}

absl::StatusOr<Scheduler::Retried> Scheduler::Retry(const std::string& sweep, bool failed, bool cancelled,
                                                    bool new_seed) {
  if (!failed && !cancelled) return absl::InvalidArgumentError("say which trials to retry: failed, cancelled or both");
  auto rec = Resolve(sweep);
  if (!rec.ok()) return rec.status();
  Lock lock(mu_);
  if (auto st = Reopenable(*rec, "retry"); !st.ok()) return st;
  const bool running = Active(rec->rowid) != nullptr;
  if (!running) {
    auto final_rec = Reread(rec->rowid);
    if (!final_rec.ok()) return final_rec.status();
    *rec = *std::move(final_rec);
  }
  store::TrialCounts counts;
  int64_t created = 0;
  auto st = store_.Read([&](ReadTxn& r) {
    counts = r.CountByStatus(rec->rowid);
    created = r.TrialsCreated(rec->rowid);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  Retried out;
  out.requeued = (failed ? counts.failed : 0) + (cancelled ? counts.cancelled : 0);
  // A finished sweep that runs again runs all it planned: what it never started too
  // (with --cancelled alone, those are what is retried: they were cut off the same way).
  if (!running && (out.requeued > 0 || cancelled)) out.resumed = std::max<int64_t>(0, rec->total_trials - created);
  if (out.requeued + out.resumed > 0 && !running) {
    auto spec = DecodeSpec(rec->spec);
    if (!spec.ok()) return spec.status();
    if (const int64_t ends = LimitEnds(*spec, rec->created_ms); ends > 0 && ends <= now_ms()) {
      return absl::FailedPreconditionError(
          absl::StrCat("sweep ", rec->id, " has used up its time limit (budget.max_duration_seconds: ",
                       Seconds(spec->budget.max_duration_seconds), "): extend it with a duration first"));
    }
  }
  if (out.requeued + out.resumed > 0) {
    static const Commit kRetry{"scheduler.retry.before_commit", "scheduler.retry.after_commit"};
    st = Reopen(
        *rec,
        [&](WriteTxn& w) {
          if (failed) w.RetryTrials(rec->rowid, TrialStatus::kFailed, new_seed);
          if (cancelled) w.RetryTrials(rec->rowid, TrialStatus::kCancelled, new_seed);
          if (!running) w.ReopenSweep(rec->rowid, rec->spec, rec->total_trials, now_ms());
        },
        kRetry);
    if (!st.ok()) return st;
    log::Info("sweep ", rec->id, ": ", out.requeued, " trials requeued",
              running ? "" : absl::StrCat(" (reopened; ", out.resumed, " never started run too)"));
  }
  auto now = Current(*rec, lock);
  if (!now.ok()) return now.status();
  out.sweep = *std::move(now);
  lock.unlock();
  work_cv_.notify_all();
  return out;
}

}  // namespace hpsearch::scheduler
