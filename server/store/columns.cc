#include "store/columns.h"

#include <cmath>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "search/search_space.h"

namespace hpsearch::store {

namespace v1 = hpsearch::v1;
using nlohmann::json;

void RequireFinite(double v, const std::string& what) {
  if (!std::isfinite(v)) throw std::invalid_argument(absl::StrCat(what, " is not finite"));
}

std::string MetricsText(const std::map<std::string, double>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) {
    RequireFinite(v, k);
    j[k] = v;
  }
  return j.dump();
}

void MetricsFromText(const std::string& text, google::protobuf::Map<std::string, double>* out) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return;
  for (const auto& [k, v] : j.items()) {
    if (v.is_number()) (*out)[k] = v.get<double>();
  }
}

std::string DoublesText(const google::protobuf::RepeatedField<double>& v) {
  json j = json::array();
  for (double x : v) j.push_back(std::isfinite(x) ? json(x) : json(nullptr));
  return j.dump();
}

void DoublesFromText(const std::string& text, google::protobuf::RepeatedField<double>* out) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return;
  for (const auto& x : j) out->Add(x.is_number() ? x.get<double>() : NAN);
}

std::string DiagnosticsText(const std::vector<v1::ActivationStats>& stats) {
  json j = json::array();
  for (const auto& s : stats) {
    j.push_back({{"epoch", s.epoch()},
                 {"mean", json::parse(DoublesText(s.mean()))},
                 {"std", json::parse(DoublesText(s.std()))}});
  }
  return j.dump();
}

void DiagnosticsFromText(const std::string& text, v1::Trial* t) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return;
  for (const auto& e : j) {
    auto* s = t->add_diagnostics();
    s->set_epoch(e.value("epoch", 0));
    DoublesFromText(e.value("mean", json::array()).dump(), s->mutable_mean());
    DoublesFromText(e.value("std", json::array()).dump(), s->mutable_std());
  }
}

const char* const kSweepColumns =
    "id, name, spec, status, status_reason, total_trials, maximize, created_ms, finished_ms, "
    "n_pending, n_running, n_completed, n_failed, n_pruned, n_cancelled, request_id, ending_status";

SweepRecord SweepFromRow(SQLite::Statement& q) {
  SweepRecord r;
  r.rowid = q.getColumn(0).getInt64();
  auto& s = r.sweep;
  s.set_id(SweepPublicId(r.rowid));
  s.set_name(q.getColumn(1).getString());
  const SQLite::Column spec = q.getColumn(2);
  s.mutable_spec()->ParseFromArray(spec.getBlob(), spec.getBytes());
  s.set_status(static_cast<v1::SweepStatus>(q.getColumn(3).getInt()));
  s.set_status_reason(q.getColumn(4).getString());
  s.set_total_trials(q.getColumn(5).getInt64());
  r.maximize = q.getColumn(6).getInt() != 0;
  s.set_created_ms(q.getColumn(7).getInt64());
  s.set_finished_ms(q.getColumn(8).getInt64());
  auto* c = s.mutable_counts();
  c->set_pending(q.getColumn(9).getInt64());
  c->set_running(q.getColumn(10).getInt64());
  c->set_completed(q.getColumn(11).getInt64());
  c->set_failed(q.getColumn(12).getInt64());
  c->set_pruned(q.getColumn(13).getInt64());
  c->set_cancelled(q.getColumn(14).getInt64());
  r.request_id = q.getColumn(15).getString();
  r.ending_status = static_cast<v1::SweepStatus>(q.getColumn(16).getInt());
  s.set_best_trial(-1);
  return r;
}

const char* const kTrialColumns =
    "t.idx, t.params, t.seed, t.status, t.attempt, t.worker, t.objective, t.metrics, "
    "t.failure_reason, t.created_ms, t.started_ms, t.finished_ms, t.parameter_count, "
    "t.diagnostics, t.id";

v1::Trial TrialFromRow(SQLite::Statement& q, const std::string& sweep_id, bool details) {
  v1::Trial t;
  t.set_sweep_id(sweep_id);
  t.set_index(q.getColumn(0).getInt64());
  const json params = json::parse(q.getColumn(1).getString(), nullptr, false);
  if (params.is_object()) {
    for (const auto& [k, v] : params.items()) (*t.mutable_params())[k] = search::JsonToValue(v);
  }
  t.set_seed(static_cast<uint64_t>(q.getColumn(2).getInt64()));
  t.set_status(static_cast<v1::TrialStatus>(q.getColumn(3).getInt()));
  t.set_attempt(q.getColumn(4).getInt());
  t.set_worker(q.getColumn(5).getString());
  if (!q.getColumn(6).isNull()) t.set_objective(q.getColumn(6).getDouble());
  MetricsFromText(q.getColumn(7).getString(), t.mutable_metrics());
  t.set_failure_reason(q.getColumn(8).getString());
  t.set_created_ms(q.getColumn(9).getInt64());
  t.set_started_ms(q.getColumn(10).getInt64());
  t.set_finished_ms(q.getColumn(11).getInt64());
  t.set_parameter_count(q.getColumn(12).getInt64());
  if (details) DiagnosticsFromText(q.getColumn(13).getString(), &t);
  return t;
}


}  // namespace hpsearch::store
