#include "server/scheduler/query.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/util/counted.h"
#include "server/scheduler/trial_filter.h"

namespace hpsearch::scheduler {

namespace {

// What `sort_by` names in a sweep: index, objective, a metric its trials report, or
// one of its settings (searched or fixed; a setting first, as in a condition, should
// a command's metric share its name). INVALID_ARGUMENT with a did-you-mean for
// anything else, so a typo is not a silent order by index.
absl::StatusOr<store::TrialQuery> WithSortKey(const ListingKeys& keys, store::TrialQuery q) {
  const std::string& key = q.sort_by;
  if (key.empty() || key == "index" || key == "objective") return q;
  if (keys.IsParam(key)) {
    q.by_parameter = true;
    return q;
  }
  if (keys.IsMetric(key)) return q;
  return absl::InvalidArgumentError(absl::StrCat("sort_by: ", keys.Unknown(key, keys.All())));
}

}  // namespace

absl::StatusOr<store::TrialPage> Query::Trials(const std::string& sweep, const store::TrialQuery& query,
                                               const std::vector<std::string>& where) {
  if (where.size() > store::kMaxTrialConditions) {
    return absl::InvalidArgumentError(
        absl::StrCat("where: at most ", store::kMaxTrialConditions, " conditions (got ", where.size(), ")"));
  }
  auto rec = scheduler_.Resolve(sweep);
  if (!rec.ok()) return rec.status();
  auto spec = scheduler_.DecodeSpec(rec->spec);
  if (!spec.ok() && !where.empty()) {
    return absl::FailedPreconditionError("where: this sweep's stored spec cannot be read");
  }
  // Only a sort key or a condition names keys; only then are the metric names the
  // trials reported read (a seek per name), in the listing's own snapshot.
  const bool keyed =
      spec.ok() &&
      (!where.empty() || !(query.sort_by.empty() || query.sort_by == "index" || query.sort_by == "objective"));
  absl::StatusOr<store::TrialPage> page;
  auto st = store_.Read([&](store::ReadTxn& r) {
    store::TrialQuery q = query;
    if (keyed) {
      std::vector<std::string> reported = r.MetricNames(rec->rowid, kMaxListedMetrics + 1);
      const bool more = reported.size() > static_cast<std::size_t>(kMaxListedMetrics);
      if (more) reported.resize(kMaxListedMetrics);
      const ListingKeys keys = ListingKeys::Of(*spec, reported, more);
      auto keyed_query = WithSortKey(keys, std::move(q));
      if (!keyed_query.ok()) return keyed_query.status();
      q = *std::move(keyed_query);
      for (const auto& text : where) {
        auto c = ParseCondition(text, keys);
        if (!c.ok()) return c.status();
        q.where.push_back(*std::move(c));
      }
    }
    page = r.ListTrials(rec->rowid, q);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return page;
}

absl::StatusOr<store::TrialRecord> Query::Trial(const std::string& sweep, int64_t index) {
  auto rec = scheduler_.Resolve(sweep);
  if (!rec.ok()) return rec.status();
  std::optional<store::TrialRecord> trial;
  auto st = store_.Read([&](store::ReadTxn& r) {
    trial = r.GetTrial(rec->rowid, index);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  if (trial) return *std::move(trial);
  const bool unstarted = index >= 0 && index < rec->total_trials;
  return absl::NotFoundError(
      absl::StrCat("sweep ", rec->id, " has no trial ", index, unstarted ? " yet (it has not started)" : "",
                   unstarted ? "" : absl::StrCat(" (it has ", Counted(rec->total_trials, "trial"), ")")));
}

absl::StatusOr<Query::Log> Query::TrialLog(const std::string& sweep, int64_t index, int32_t attempt,
                                           OutputChunk::Stream stream, uint64_t offset, std::size_t max_bytes) {
  auto rec = scheduler_.Resolve(sweep);
  if (!rec.ok()) return rec.status();
  auto spec = scheduler_.DecodeSpec(rec->spec);
  if (!spec.ok()) return spec.status();
  if (!spec->trainer.runs_command()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "sweep ", rec->id,
        spec->trainer.external() ? " runs its trials in the asking client (trainer: external): the server has no output"
                                 : " runs the built-in trainer: logs are a command trial's output",
        " (its curve is in `hpsearch trial`)"));
  }
  if (logs_ == nullptr) {
    return absl::FailedPreconditionError("this server keeps no program output: it was started without --commands");
  }
  auto trial = Trial(sweep, index);
  if (!trial.ok()) return trial.status();
  Log log;
  log.status = trial->status;
  const bool over = trial->status != TrialStatus::kRunning && trial->status != TrialStatus::kPending;
  if (attempt == 0 && trial->attempt == 0) {  // not started yet: nothing written so far
    log.finished = over;
    return log;
  }
  log.attempt = attempt == 0 ? trial->attempt : attempt;
  if (log.attempt < 1 || log.attempt > trial->attempt) {
    return absl::NotFoundError(absl::StrCat("trial ", index, " of sweep ", rec->id, " has no attempt ", attempt,
                                            " (attempts 1..", trial->attempt, ")"));
  }
  log.finished = over || log.attempt < trial->attempt;
  log.slice = logs_->Read(rec->id, index, log.attempt, stream, offset, max_bytes);
  return log;
}

absl::StatusOr<History> Query::SweepHistory(const std::string& sweep, std::size_t max_points) {
  auto rec = scheduler_.Resolve(sweep);
  if (!rec.ok()) return rec.status();
  auto spec = scheduler_.DecodeSpec(rec->spec);
  if (!spec.ok()) return spec.status();
  const std::string metric = search::ObjectiveMetric(*spec);
  std::vector<store::FinishedValue> values;
  auto st = store_.Read([&](store::ReadTxn& r) {
    values = r.FinishedValues(rec->rowid, metric);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  std::vector<HistoryPoint> all;
  all.reserve(values.size());
  for (const auto& v : values) {
    all.push_back(HistoryPoint{static_cast<int64_t>(all.size()) + 1, v.index, v.value, v.pruned, v.failed, v.params});
  }
  History h = Thin(std::move(all), rec->maximize, max_points);
  h.metric = metric;
  for (const auto& p : spec->parameters) h.searched.push_back(p.name);
  return h;
}

absl::StatusOr<Query::SweepImportance> Query::Importance(const std::string& sweep) {
  auto rec = scheduler_.Resolve(sweep);
  if (!rec.ok()) return rec.status();
  auto spec = scheduler_.DecodeSpec(rec->spec);
  if (!spec.ok()) return spec.status();
  // Completed trials stay completed (retry takes failed and cancelled ones) and ids
  // are never reused, so their count says whether a cached answer still holds.
  std::vector<std::pair<Params, double>> completed;
  int64_t count = 0;
  std::optional<std::vector<search::ParamImportance>> cached;
  auto st = store_.Read([&](store::ReadTxn& r) {
    count = r.CountByStatus(rec->rowid).completed;
    {
      std::lock_guard lock(importance_mu_);
      if (auto it = importance_.find(rec->rowid); it != importance_.end() && it->second.completed == count) {
        cached = it->second.importance;
        return absl::OkStatus();
      }
    }
    completed = r.CompletedParams(rec->rowid);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  if (cached) return SweepImportance{count, *std::move(cached)};
  auto importance = search::PedAnovaImportance(*spec, completed, rec->maximize);
  std::lock_guard lock(importance_mu_);
  if (importance_.size() >= kImportanceCached && !importance_.count(rec->rowid)) importance_.erase(importance_.begin());
  importance_[rec->rowid] = CachedImportance{count, importance};
  ++importance_computed_;
  return SweepImportance{count, std::move(importance)};
}

absl::StatusOr<std::vector<store::TrialRecord>> Query::Best(const std::string& sweep, int32_t k) {
  auto rec = scheduler_.Resolve(sweep);
  if (!rec.ok()) return rec.status();
  std::vector<store::TrialRecord> best;
  auto st = store_.Read([&](store::ReadTxn& r) {
    best = r.BestTrials(rec->rowid, k);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return best;
}

absl::StatusOr<std::shared_ptr<const Query::Front>> Query::ParetoFront(const std::string& sweep) {
  auto rec = scheduler_.Resolve(sweep);
  if (!rec.ok()) return rec.status();
  auto spec = scheduler_.DecodeSpec(rec->spec);
  if (!spec.ok()) return spec.status();
  auto f = std::make_shared<Front>();
  if (!search::MultiObjective(*spec)) return std::shared_ptr<const Front>(std::move(f));
  f->objectives = search::ResolvedObjectives(*spec);
  std::vector<store::TrialRecord> completed;
  int64_t count = 0;
  std::shared_ptr<const Front> cached;
  auto st = store_.Read([&](store::ReadTxn& r) {
    count = r.CountByStatus(rec->rowid).completed;
    {
      std::lock_guard lock(fronts_mu_);
      if (auto it = fronts_.find(rec->rowid); it != fronts_.end() && it->second.completed == count) {
        cached = it->second.front;
        return absl::OkStatus();
      }
    }
    completed = r.BestTrials(rec->rowid, std::numeric_limits<int32_t>::max());
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  if (cached) return cached;
  std::sort(completed.begin(), completed.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  std::vector<store::TrialRecord> ranked;
  std::vector<std::vector<double>> values;
  for (auto& t : completed) {
    auto v = search::ObjectiveValues(f->objectives,
                                     search::OutcomeOf(t.metrics, t.parameter_count, t.started_ms, t.finished_ms));
    if (!v) continue;
    values.push_back(*std::move(v));
    ranked.push_back(std::move(t));
  }
  f->ranking = search::RankTrials(f->objectives, values);
  for (std::size_t i : f->ranking.order) {
    f->position[ranked[i].index] = f->trials.size();
    f->ranks.push_back(f->ranking.rank[i]);
    f->values.push_back(values[i]);
    f->trials.push_back(std::move(ranked[i]));
  }
  std::shared_ptr<const Front> done = std::move(f);
  std::lock_guard lock(fronts_mu_);
  if (fronts_.size() >= kFrontsCached && !fronts_.count(rec->rowid)) fronts_.erase(fronts_.begin());
  fronts_[rec->rowid] = CachedFront{count, done};
  return done;
}

}  // namespace hpsearch::scheduler
