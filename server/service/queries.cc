#include "server/service/queries.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "proto/convert/protocol_convert.h"
#include "search/importance.h"
#include "server/service/convert.h"

namespace hpsearch::service {

namespace v1 = hpsearch::v1;

namespace {

absl::StatusOr<int32_t> PageSize(int32_t requested, int32_t fallback, int32_t max, const char* field) {
  if (requested < 0) return absl::InvalidArgumentError(absl::StrCat(field, ": must be >= 0"));
  if (requested == 0) return fallback;
  return std::min(requested, max);
}

// ListSweeps page tokens are opaque to clients; here they are the decimal offset.
absl::StatusOr<int64_t> Offset(const std::string& token) {
  if (token.empty()) return 0;
  int64_t v = -1;
  auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
  if (ec != std::errc() || p != token.data() + token.size() || v < 0) {
    return absl::InvalidArgumentError("page_token: not a token from a previous response");
  }
  return v;
}

// A multi-objective sweep's completed trial's values and rank, when it has them.
void AddRank(const scheduler::Query::Front& f, v1::Trial* t) {
  auto it = f.position.find(t->index());
  if (it == f.position.end()) return;
  for (double v : f.values[it->second]) t->add_objective_values(v);
  t->set_pareto_rank(f.ranks[it->second]);
}

}  // namespace

absl::Status GetSweep(scheduler::Query& q, const v1::GetSweepRequest& req, v1::Sweep* resp) {
  auto sweep = q.Sweep(req.sweep());
  if (!sweep.ok()) return sweep.status();
  *resp = ToProto(*sweep, true);
  if (resp->spec().other_objectives_size() == 0) return absl::OkStatus();
  auto cached = q.ParetoFront(sweep->id);
  if (!cached.ok()) return cached.status();
  const scheduler::Query::Front& front = **cached;
  v1::ParetoSummary* p = resp->mutable_pareto();
  p->set_front_size(static_cast<int64_t>(front.ranking.front_size));
  p->set_ranked_trials(static_cast<int64_t>(front.trials.size()));
  p->set_hypervolume(front.ranking.hypervolume);
  for (double r : front.ranking.reference) p->add_reference_point(r);
  for (const auto& o : front.objectives) {
    p->add_metrics(o.metric);
    p->add_maximize(o.maximize);
  }
  return absl::OkStatus();
}

absl::Status ListSweeps(scheduler::Query& q, const v1::ListSweepsRequest& req, v1::ListSweepsResponse* resp) {
  auto size = PageSize(req.page_size(), 50, 1000, "page_size");
  if (!size.ok()) return size.status();
  auto offset = Offset(req.page_token());
  if (!offset.ok()) return offset.status();
  auto page = q.Sweeps(*offset, *size);
  if (!page.ok()) return page.status();
  for (const auto& s : page->sweeps) *resp->add_sweeps() = ToProto(s, true);
  if (page->next_offset >= 0) resp->set_next_page_token(std::to_string(page->next_offset));
  return absl::OkStatus();
}

absl::Status ListTrials(scheduler::Query& q, const v1::ListTrialsRequest& req, v1::ListTrialsResponse* resp) {
  if (!v1::TrialStatus_IsValid(req.status())) {
    return absl::InvalidArgumentError(absl::StrCat("status: unknown value ", req.status()));
  }
  auto size = PageSize(req.page_size(), 100, 1000, "page_size");
  if (!size.ok()) return size.status();
  store::TrialQuery query;
  if (req.status() != v1::TRIAL_STATUS_UNSPECIFIED) query.status = convert::FromProto(req.status());
  query.sort_by = req.sort_by().empty() ? "index" : req.sort_by();
  query.descending = req.descending();
  query.cursor = req.page_token();
  query.limit = *size;
  auto page = q.Trials(req.sweep(), query, {req.where().begin(), req.where().end()});
  if (!page.ok()) return page.status();
  for (const auto& t : page->trials) *resp->add_trials() = ToProto(t);
  if (std::any_of(page->trials.begin(), page->trials.end(),
                  [](const auto& t) { return t.status == TrialStatus::kCompleted; })) {
    auto front = q.ParetoFront(req.sweep());
    if (!front.ok()) return front.status();
    for (auto& t : *resp->mutable_trials()) AddRank(**front, &t);
  }
  resp->set_total(page->total);
  resp->set_next_page_token(page->next_cursor);
  return absl::OkStatus();
}

absl::Status GetTrial(scheduler::Query& q, const v1::GetTrialRequest& req, v1::Trial* resp) {
  auto trial = q.Trial(req.sweep(), req.index());
  if (trial.ok()) *resp = ToProto(*trial);
  return trial.status();
}

absl::Status GetTrialLog(scheduler::Query& q, const v1::GetTrialLogRequest& req, v1::TrialLog* resp) {
  constexpr int32_t kDefaultBytes = 64 * 1024, kMaxBytes = 1 << 20;
  if (req.max_bytes() < 0 || req.max_bytes() > kMaxBytes) {
    return absl::InvalidArgumentError(absl::StrCat("max_bytes: ", req.max_bytes(), " is not in 0..", kMaxBytes));
  }
  if (req.attempt() < 0) return absl::InvalidArgumentError(absl::StrCat("attempt: ", req.attempt(), " is below 0"));
  const auto stream =
      req.stream() == v1::OUTPUT_STREAM_STDERR ? OutputChunk::Stream::kStderr : OutputChunk::Stream::kStdout;
  auto log = q.TrialLog(req.sweep(), req.index(), req.attempt(), stream, req.offset(),
                        req.max_bytes() == 0 ? kDefaultBytes : req.max_bytes());
  if (!log.ok()) return log.status();
  resp->set_attempt(log->attempt);
  resp->set_offset(log->slice.offset);
  resp->set_end(log->slice.end);
  resp->set_data(std::move(log->slice.bytes));
  resp->set_finished(log->finished);
  resp->set_status(convert::ToProto(log->status));
  return absl::OkStatus();
}

absl::Status GetImportance(scheduler::Query& q, const v1::GetImportanceRequest& req, v1::Importance* resp) {
  auto imp = q.Importance(req.sweep());
  if (!imp.ok()) return imp.status();
  resp->set_method("ped-anova");
  resp->set_target_quantile(search::kImportanceTargetQuantile);
  resp->set_completed_trials(imp->completed);
  resp->set_minimum_trials(search::kImportanceMinimumTrials);
  if (imp->withheld()) return absl::OkStatus();
  for (const auto& i : imp->importances) {
    auto* p = resp->add_importances();
    p->set_param(i.name);
    p->set_importance(i.importance);
  }
  return absl::OkStatus();
}

absl::Status GetBestTrials(scheduler::Query& q, const v1::GetBestTrialsRequest& req, v1::GetBestTrialsResponse* resp) {
  auto k = PageSize(req.k(), 5, 1000, "k");
  if (!k.ok()) return k.status();
  auto cached = q.ParetoFront(req.sweep());
  if (!cached.ok()) return cached.status();
  const scheduler::Query::Front& front = **cached;
  if (!front.objectives.empty()) {  // several objectives: the front (k = 0), or the first k by rank
    const std::size_t n = req.k() == 0 ? std::min<std::size_t>(front.ranking.front_size, 1000)
                                       : std::min<std::size_t>(front.trials.size(), static_cast<std::size_t>(*k));
    for (std::size_t i = 0; i < n; ++i) {
      v1::Trial* t = resp->add_trials();
      *t = ToProto(front.trials[i]);
      AddRank(front, t);
    }
    return absl::OkStatus();
  }
  auto best = q.Best(req.sweep(), *k);
  if (!best.ok()) return best.status();
  for (const auto& t : *best) *resp->add_trials() = ToProto(t);
  return absl::OkStatus();
}

absl::Status ListWorkers(scheduler::Query& q, const v1::ListWorkersRequest&, v1::ListWorkersResponse* resp) {
  for (const auto& w : q.Workers()) {
    v1::Worker* p = resp->add_workers();
    p->set_name(w.name);
    p->set_embedded(w.embedded);
    for (const auto& slot : w.slots) p->add_slots(slot);
    p->set_last_seen_ms(w.last_seen_ms);
    for (const auto& k : w.running) {
      v1::WorkerTrial* t = p->add_running();
      t->set_sweep_id(k.sweep_id);
      t->set_index(k.index);
      t->set_attempt(k.attempt);
    }
  }
  return absl::OkStatus();
}

}  // namespace hpsearch::service
