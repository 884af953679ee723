#include "client/trial_table.h"

#include <algorithm>

#include "client/format.h"
#include "client/views.h"
#include "common/util/printable.h"

namespace hpsearch::client {

namespace v1 = hpsearch::v1;
using nlohmann::json;

std::vector<std::string> ParamColumns(const std::optional<search::Spec>& spec, const std::vector<v1::Trial>& trials,
                                      bool show_fixed) {
  if (!spec) return ParamNames(trials);
  std::vector<std::string> cols;
  for (const auto& p : spec->parameters) {
    if (std::find(cols.begin(), cols.end(), p.name) == cols.end()) cols.push_back(p.name);
  }
  if (show_fixed) {
    for (const auto& [name, v] : spec->fixed) {
      if (std::find(cols.begin(), cols.end(), name) == cols.end()) cols.push_back(name);
    }
  }
  return cols;
}

std::string RunTime(const v1::Trial& t) {
  if (t.started_ms() == 0) return "-";
  const int64_t end = t.finished_ms() > 0 ? t.finished_ms() : NowMs();
  return Duration((end - t.started_ms()) / 1000.0);
}

bool LastValueShown(const v1::Trial& t, const TrialColumns& c) {
  return !t.has_objective() && !c.objective_metric.empty() && t.epochs_run() > 0 &&
         t.metrics().count(c.objective_metric) > 0;
}

namespace {

std::string ObjectiveCell(const v1::Trial& t, const TrialColumns& c) {
  if (t.has_objective()) return ObjectiveText(t.objective());
  if (LastValueShown(t, c)) {
    return ObjectiveText(t.metrics().at(c.objective_metric)) + " @" + std::to_string(t.epochs_run());
  }
  return "-";
}

}  // namespace

void PrintTrialTable(const std::vector<v1::Trial>& trials, const TrialColumns& c, std::ostream& out) {
  std::vector<std::string> header;
  if (c.rank) header.push_back("RANK");
  for (const char* h : {"TRIAL", "STATUS"}) header.push_back(h);
  if (c.objectives.empty()) header.push_back("OBJECTIVE");
  for (const auto& o : c.objectives) header.push_back(o);
  for (const auto& p : c.params) header.push_back(p);
  for (const auto& m : c.metrics) header.push_back(m);
  header.push_back("TIME");
  if (c.wide) {
    for (const char* h : {"STARTED", "ATTEMPT", "WORKER", "EPOCHS", "NET PARAMS"}) header.push_back(h);
  }
  if (c.reasons) header.push_back("REASON");
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < trials.size(); ++i) {
    const auto& t = trials[i];
    const json j = TrialJson(t);
    std::vector<std::string> row;
    if (c.rank && !c.objectives.empty()) row.push_back(t.has_pareto_rank() ? std::to_string(t.pareto_rank()) : "-");
    if (c.rank && c.objectives.empty()) row.push_back(std::to_string(i + 1));
    row.push_back(std::to_string(t.index()));
    row.push_back(StatusName(t.status()));
    if (c.objectives.empty()) row.push_back(ObjectiveCell(t, c));
    for (std::size_t o = 0; o < c.objectives.size(); ++o)
      row.push_back(o < static_cast<std::size_t>(t.objective_values_size()) ? Cell(t.objective_values(o)) : "-");
    for (const auto& p : c.params) row.push_back(j["params"].contains(p) ? Cell(j["params"][p]) : "-");
    for (const auto& m : c.metrics) row.push_back(t.metrics().count(m) ? Cell(t.metrics().at(m)) : "-");
    row.push_back(RunTime(t));
    if (c.wide) {
      row.push_back(Timestamp(t.started_ms()));
      row.push_back(t.attempt() > 0 ? std::to_string(t.attempt()) : "-");
      row.push_back(t.worker().empty() ? "-" : t.worker());
      row.push_back(t.epochs_run() > 0 ? std::to_string(t.epochs_run()) : "-");
      row.push_back(t.parameter_count() > 0 ? std::to_string(t.parameter_count()) : "-");
    }
    if (c.reasons) row.push_back(t.failure_reason().empty() ? "-" : Truncated(OneLine(t.failure_reason()), 80));
    rows.push_back(std::move(row));
  }
  PrintTable(out, header, rows);
}

void PrintTrialCsv(const std::vector<v1::Trial>& trials, std::ostream& out) {
  static const char* kTail[] = {"attempt", "worker",     "started_ms",      "finished_ms",
                                "seconds", "epochs_run", "parameter_count", "failure_reason"};
  const auto params = ParamNames(trials);
  const auto metrics = MetricNames(trials);
  const bool ranked = std::any_of(trials.begin(), trials.end(), [](const auto& t) { return t.has_pareto_rank(); });
  std::vector<std::string> header = {"trial", "status", "objective"};
  if (ranked) header.push_back("pareto_rank");
  for (const auto& p : params) header.push_back(p);
  for (const auto& m : metrics) header.push_back(m);
  for (const char* h : kTail) header.push_back(h);
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : trials) {
    const json j = TrialJson(t);
    std::vector<std::string> row = {std::to_string(t.index()), j["status"], Exact(j["objective"])};
    if (ranked) row.push_back(t.has_pareto_rank() ? std::to_string(t.pareto_rank()) : "");
    for (const auto& p : params) row.push_back(j["params"].contains(p) ? Exact(j["params"][p]) : "");
    for (const auto& m : metrics) row.push_back(j["metrics"].contains(m) ? Exact(j["metrics"][m]) : "");
    for (const char* h : kTail) row.push_back(Exact(j[h]));
    rows.push_back(std::move(row));
  }
  PrintCsv(out, header, rows);
}

}  // namespace hpsearch::client
