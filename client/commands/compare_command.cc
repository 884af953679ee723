// compare: trials of one sweep side by side — every parameter and final metric in a
// row, rows that differ marked, and each trial's objective curve as a sparkline.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <set>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "client/commands/commands.h"
#include "client/format.h"
#include "client/trial_table.h"
#include "client/views.h"
#include "search/spec_validator.h"

namespace hpsearch::client {

namespace v1 = hpsearch::v1;
using nlohmann::json;

namespace {

bool Differ(const std::vector<json>& v) {
  return std::any_of(v.begin(), v.end(), [&](const json& x) { return x != v.front(); });
}

// The rows of the comparison: a key, a cell per trial, and whether the trials differ.
class Comparison {
 public:
  explicit Comparison(std::vector<v1::Trial> trials) : trials_(std::move(trials)) {
    for (const auto& t : trials_) js_.push_back(TrialJson(t));
  }

  const std::vector<json>& trials_json() const { return js_; }

  // A value of every trial: `section` is "params" or "metrics" (null where absent).
  std::vector<json> Values(const std::string& section, const std::string& key) const {
    std::vector<json> v;
    for (const auto& j : js_) v.push_back(j[section].contains(key) ? j[section][key] : json(nullptr));
    return v;
  }

  void AddValues(const std::string& key, const std::vector<json>& v) {
    std::vector<std::string> cells;
    for (const auto& x : v) cells.push_back(Cell(x));
    Add(key, cells, Differ(v));
  }

  void AddStatusAndObjective() {
    std::vector<json> statuses, objectives;
    for (std::size_t i = 0; i < trials_.size(); ++i) {
      statuses.push_back(StatusName(trials_[i].status()));
      objectives.push_back(js_[i]["objective"]);
    }
    AddValues("status", statuses);
    AddValues("objective", objectives);
  }

  // The `metric` curves on one scale (every trial's values together), so heights compare;
  // returns the scale (lo > hi when no trial has a value).
  std::pair<double, double> AddCurves(const std::string& metric) {
    std::vector<std::vector<double>> curves;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& t : trials_) {
      std::vector<double> v;
      for (const auto& e : t.epochs()) {
        auto it = e.metrics().find(metric);
        if (it != e.metrics().end() && std::isfinite(it->second)) {
          v.push_back(it->second);
          lo = std::min(lo, it->second);
          hi = std::max(hi, it->second);
        }
      }
      curves.push_back(std::move(v));
    }
    std::vector<std::string> cells;
    for (const auto& v : curves) cells.push_back(v.empty() ? "-" : Sparkline(v, lo, hi));
    Add(metric + " curve", cells, false);
    return {lo, hi};
  }

  void AddEpochsAndTime() {
    std::vector<json> epochs;
    std::vector<std::string> times;
    for (const auto& t : trials_) {
      epochs.push_back(std::to_string(t.epochs_size()));
      times.push_back(RunTime(t));
    }
    AddValues("epochs run", epochs);
    Add("time", times, false);
  }

  std::vector<std::string> Header() const {
    std::vector<std::string> header = {"", "KEY"};
    for (const auto& t : trials_) header.push_back(absl::StrCat("TRIAL ", t.index()));
    return header;
  }
  const std::vector<std::vector<std::string>>& rows() const { return rows_; }

 private:
  void Add(const std::string& key, const std::vector<std::string>& cells, bool differs) {
    std::vector<std::string> row = {differs ? "*" : "", key};
    row.insert(row.end(), cells.begin(), cells.end());
    rows_.push_back(std::move(row));
  }

  std::vector<v1::Trial> trials_;
  std::vector<json> js_;
  std::vector<std::vector<std::string>> rows_;
};

grpc::Status FetchTrials(Connection& c, const std::string& sweep, const std::vector<int64_t>& indices,
                         std::vector<v1::Trial>* trials) {
  for (int64_t index : indices) {
    v1::GetTrialRequest req;
    req.set_sweep(sweep);
    req.set_index(index);
    v1::Trial t;
    auto ctx = c.Call();
    if (grpc::Status st = c.sweeps().GetTrial(ctx.get(), req, &t); !st.ok()) return st;
    trials->push_back(std::move(t));
  }
  return grpc::Status::OK;
}

}  // namespace

int RunCompare(Connection& c, const CompareOptions& o, std::ostream& out, std::ostream& err) {
  if (o.indices.size() < 2) {
    err << "error: compare needs at least two trial indices (e.g. hpsearch compare " << o.sweep << " 3 7)\n";
    return kExitUsage;
  }
  v1::Sweep s;
  std::vector<v1::Trial> trials;
  grpc::Status st = FetchSweep(c, o.sweep, &s);
  if (st.ok()) st = FetchTrials(c, o.sweep, o.indices, &trials);
  if (!st.ok()) return ReportError(st, c.options(), err);
  const std::optional<search::Spec> spec = SpecOf(s);
  // Rows: searched parameters (spec order), the fixed ones, then every final metric.
  std::vector<std::string> params = ParamColumns(spec, trials, /*show_fixed=*/true);
  for (const auto& p : ParamNames(trials)) {
    if (std::find(params.begin(), params.end(), p) == params.end()) params.push_back(p);
  }
  const std::vector<std::string> metrics = MetricNames(trials);
  Comparison cmp(std::move(trials));
  const OutputFormat format = c.options().format;
  if (format == OutputFormat::kJson) {
    json differs = json::array();
    for (const auto& p : params) {
      if (Differ(cmp.Values("params", p))) differs.push_back(p);
    }
    for (const auto& m : metrics) {
      if (Differ(cmp.Values("metrics", m))) differs.push_back(m);
    }
    out << json{{"trials", cmp.trials_json()}, {"differs", differs}}.dump(2) << "\n";
    return kExitOk;
  }
  cmp.AddStatusAndObjective();
  for (const auto& p : params) cmp.AddValues(p, cmp.Values("params", p));
  for (const auto& m : metrics) cmp.AddValues(m, cmp.Values("metrics", m));
  const auto [lo, hi] = cmp.AddCurves(spec ? search::ObjectiveMetric(*spec) : "val_loss");
  cmp.AddEpochsAndTime();
  std::vector<std::string> header = cmp.Header();
  if (format == OutputFormat::kCsv) {
    std::vector<std::vector<std::string>> rows = cmp.rows();
    header[0] = "differs";
    for (auto& r : rows) r[0] = r[0].empty() ? "false" : "true";
    PrintCsv(out, header, rows);
    return kExitOk;
  }
  PrintTable(out, header, cmp.rows(), /*align_decimals=*/false);  // a column holds many quantities
  out << "(* marks rows where the trials differ";
  if (lo <= hi) out << "; the curves share one scale, " << Cell(lo) << " to " << Cell(hi);
  out << ")\n";
  return kExitOk;
}

namespace {

class CompareCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "compare", "Trials side by side: parameters, metrics (differences marked), curves",
                           "hpsearch compare quickstart 3 7 12");
    cmd->add_option("sweep", options_.sweep, "Sweep id or name")->required();
    cmd->add_option("trials", options_.indices, "Two or more trial indices")->required()->expected(2, 100);
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override { return RunCompare(c, options_, ctx.out, ctx.err); }

 private:
  CompareOptions options_;
};

}  // namespace

std::unique_ptr<Command> MakeCompareCommand() { return std::make_unique<CompareCommand>(); }

}  // namespace hpsearch::client
