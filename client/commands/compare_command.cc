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

int RunCompare(Connection& c, const CompareOptions& o, std::ostream& out, std::ostream& err) {
  const std::string& sweep = o.sweep;
  const std::vector<int64_t>& indices = o.indices;
  if (indices.size() < 2) {
    err << "error: compare needs at least two trial indices (e.g. hpsearch compare " << sweep << " 3 7)\n";
    return kExitUsage;
  }
  v1::Sweep s;
  grpc::Status st = FetchSweep(c, sweep, &s);
  if (!st.ok()) return ReportError(st, c.options(), err);
  const std::optional<search::Spec> spec = SpecOf(s);
  std::vector<v1::Trial> trials;
  for (int64_t index : indices) {
    v1::GetTrialRequest req;
    req.set_sweep(sweep);
    req.set_index(index);
    v1::Trial t;
    auto ctx = c.Call();
    st = c.sweeps().GetTrial(ctx.get(), req, &t);
    if (!st.ok()) return ReportError(st, c.options(), err);
    trials.push_back(std::move(t));
  }
  // Rows: searched parameters (spec order), the fixed ones, then every final metric.
  std::vector<std::string> params = ParamColumns(spec, trials, /*show_fixed=*/true);
  for (const auto& p : ParamNames(trials)) {
    if (std::find(params.begin(), params.end(), p) == params.end()) params.push_back(p);
  }
  const std::vector<std::string> metrics = MetricNames(trials);
  const std::string curve = spec ? search::ObjectiveMetric(*spec) : "val_loss";
  std::vector<json> js;
  for (const auto& t : trials) js.push_back(TrialJson(t));
  auto values = [&](const std::string& section, const std::string& key) {
    std::vector<json> v;
    for (const auto& j : js) v.push_back(j[section].contains(key) ? j[section][key] : json(nullptr));
    return v;
  };
  auto differ = [](const std::vector<json>& v) {
    return std::any_of(v.begin(), v.end(), [&](const json& x) { return x != v.front(); });
  };
  const OutputFormat format = c.options().format;
  if (format == OutputFormat::kJson) {
    json differs = json::array();
    for (const auto& p : params)
      if (differ(values("params", p))) differs.push_back(p);
    for (const auto& m : metrics)
      if (differ(values("metrics", m))) differs.push_back(m);
    out << json{{"trials", js}, {"differs", differs}}.dump(2) << "\n";
    return kExitOk;
  }
  std::vector<std::string> header = {"", "KEY"};
  for (const auto& t : trials) header.push_back(absl::StrCat("TRIAL ", t.index()));
  std::vector<std::vector<std::string>> rows;
  auto add = [&](const std::string& key, const std::vector<std::string>& cells, bool differs) {
    std::vector<std::string> row = {differs ? "*" : "", key};
    row.insert(row.end(), cells.begin(), cells.end());
    rows.push_back(std::move(row));
  };
  std::vector<std::string> cells;
  for (const auto& t : trials) cells.push_back(StatusName(t.status()));
  add("status", cells,
      std::any_of(trials.begin(), trials.end(), [&](const auto& t) { return t.status() != trials[0].status(); }));
  cells.clear();
  std::vector<json> objectives;
  for (const auto& j : js) objectives.push_back(j["objective"]);
  for (const auto& o : objectives) cells.push_back(Cell(o));
  add("objective", cells, differ(objectives));
  for (const auto& p : params) {
    const auto v = values("params", p);
    cells.clear();
    for (const auto& x : v) cells.push_back(Cell(x));
    add(p, cells, differ(v));
  }
  for (const auto& m : metrics) {
    const auto v = values("metrics", m);
    cells.clear();
    for (const auto& x : v) cells.push_back(Cell(x));
    add(m, cells, differ(v));
  }
  // The curves on one scale (every trial's values together), so heights compare.
  std::vector<std::vector<double>> curves;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& t : trials) {
    std::vector<double> v;
    for (const auto& e : t.epochs()) {
      auto it = e.metrics().find(curve);
      if (it != e.metrics().end() && std::isfinite(it->second)) {
        v.push_back(it->second);
        lo = std::min(lo, it->second);
        hi = std::max(hi, it->second);
      }
    }
    curves.push_back(std::move(v));
  }
  cells.clear();
  for (const auto& v : curves) cells.push_back(v.empty() ? "-" : Sparkline(v, lo, hi));
  add(curve + " curve", cells, false);
  cells.clear();
  for (const auto& t : trials) cells.push_back(std::to_string(t.epochs_size()));
  add("epochs run", cells, std::any_of(trials.begin(), trials.end(), [&](const auto& t) {
        return t.epochs_size() != trials[0].epochs_size();
      }));
  cells.clear();
  for (const auto& t : trials) cells.push_back(RunTime(t));
  add("time", cells, false);
  if (format == OutputFormat::kCsv) {
    header[0] = "differs";
    for (auto& r : rows) r[0] = r[0].empty() ? "false" : "true";
    PrintCsv(out, header, rows);
    return kExitOk;
  }
  PrintTable(out, header, rows, /*align_decimals=*/false);  // a column holds many quantities
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
