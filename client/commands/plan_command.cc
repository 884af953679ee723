#include "client/commands/plan_command.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/format.h"
#include "client/local_dataset.h"
#include "client/network_preview.h"
#include "common/protocol/command.h"
#include "common/util/value_json.h"
#include "common/vocabulary/metrics.h"
#include "search/hyperband_pruner.h"
#include "search/spec_file.h"
#include "search/spec_validator.h"
#include "search/strategy.h"
#include "search/successive_halving.h"

namespace hpsearch::client {

namespace {
std::string PruningSummary(const search::Spec& spec);
std::optional<NetworkPreview> Network(const search::Spec& spec, const Params& trial);
void PrintLayers(std::ostream& out, const NetworkPreview& net);
std::vector<std::string> CommandOf(const search::Spec& spec, const Params& trial, int64_t index);
std::string ShellLine(const std::vector<std::string>& argv);
std::string TpeWarning(const search::Spec& spec, int64_t total);
}  // namespace

int RunPlan(const PlanOptions& o, std::ostream& out, std::ostream& err) {
  auto spec = LoadSpecFile(o.spec_path);
  if (!spec.ok()) {
    err << "error: " << o.spec_path << ": " << spec.status().message() << "\n";
    return 2;
  }
  if (auto st = search::ValidateSpec(*spec, {}); !st.ok()) {
    err << "error: " << o.spec_path << ": " << st.message() << "\n";
    return 2;
  }
  std::string dataset_note;
  if (auto st = CheckLocalDataset(*spec, o.spec_path, dataset_note); !st.ok()) {
    err << "error: " << o.spec_path << ": " << st.message() << "\n";
    return 2;
  }
  if (auto st = search::ValidateSpec(*spec, {}); !st.ok()) {  // again with the file's task known
    err << "error: " << o.spec_path << ": " << st.message() << "\n";
    return 2;
  }
  // A csv whose task only the file tells, and the file is not here: the objective's
  // default is not known yet.
  const bool objective_open =
      spec->objective.metric.empty() && vocabulary::TaskOf(spec->dataset) == vocabulary::Task::kUnknown;
  const std::string objective =
      objective_open
          ? "maximize val_accuracy (classification) or minimize val_loss (regression), as the file decides"
          : absl::StrCat(search::ObjectiveMaximized(*spec) ? "maximize " : "minimize ", search::ObjectiveMetric(*spec));
  auto strategy = search::MakeStrategy(*spec);
  if (!strategy.ok()) {
    err << "error: " << o.spec_path << ": " << strategy.status().message() << "\n";
    return 2;
  }
  std::vector<Params> trials;
  // TPE's trials past its start-up depend on results: only the start-up can be shown.
  // --limit 0: every trial, as for `trials` (TPE's start-up, for the reason above).
  const int64_t wanted = o.limit == 0 ? INT64_MAX : o.limit;
  const int64_t limit =
      spec->method == search::Method::kTpe ? std::min<int64_t>(wanted, spec->tpe.startup_trials) : wanted;
  for (int64_t i = 0; i < limit; ++i) {
    auto p = (*strategy)->Next();
    if (!p) break;
    trials.push_back(std::move(*p));
  }
  const int64_t total = (*strategy)->total();
  const std::string note = (*strategy)->note();
  if (o.format == OutputFormat::kJson) {
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < trials.size(); ++i) {
      nlohmann::json t = ToJson(trials[i]);
      // A command trial's argv as it will run (no shell: one element per argument).
      if (spec->trainer.runs_command()) t["command"] = CommandOf(*spec, trials[i], static_cast<int64_t>(i));
      // A conv net's layers, each with its output shape and parameters.
      if (auto net = Network(*spec, trials[i])) {
        nlohmann::json layers = nlohmann::json::array();
        for (const LayerRow& l : net->layers)
          layers.push_back({{"layer", l.layer}, {"output", l.shape}, {"parameters", l.parameters}});
        t["network"] = {{"layers", layers}, {"parameters", net->parameters}};
      }
      list.push_back(std::move(t));
    }
    nlohmann::json j = {
        {"total_trials", total},
        {"trials", list},
        {"method", search::MethodName(spec->method)},
        {"objective", objective_open
                          ? nlohmann::json(nullptr)
                          : nlohmann::json{{"metric", search::ObjectiveMetric(*spec)},
                                           {"goal", search::ObjectiveMaximized(*spec) ? "maximize" : "minimize"}}}};
    if (!note.empty()) j["note"] = note;
    if (const std::string w = TpeWarning(*spec, total); !w.empty()) j["warnings"] = {w};
    if (spec->trainer.runs_command()) j["command"] = spec->trainer.command.argv;
    if (!spec->dataset.task.empty()) j["task"] = spec->dataset.task;
    if (!dataset_note.empty()) j["dataset_note"] = dataset_note;
    out << j.dump(2) << "\n";
    return 0;
  }
  if (o.format == OutputFormat::kCsv) {  // the previewed trials, exact values (lists as JSON)
    std::vector<std::string> header = {"trial"};
    for (const auto& p : spec->parameters) header.push_back(p.name);
    const std::size_t params = header.size();
    if (spec->trainer.runs_command()) header.push_back("command");
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < trials.size(); ++i) {
      std::vector<std::string> row = {std::to_string(i)};
      for (std::size_t c = 1; c < params; ++c) {
        const auto it = trials[i].find(header[c]);
        row.push_back(it == trials[i].end() ? "" : Exact(ToJson(it->second)));
      }
      if (spec->trainer.runs_command()) row.push_back(ShellLine(CommandOf(*spec, trials[i], static_cast<int64_t>(i))));
      rows.push_back(std::move(row));
    }
    PrintCsv(out, header, rows);
    return 0;
  }
  out << "spec " << o.spec_path << " is valid: " << total << " trial" << (total == 1 ? "" : "s") << " ("
      << search::MethodName(spec->method) << "), objective " << objective << "\n";
  if (!dataset_note.empty()) out << "dataset: " << dataset_note << "\n";
  if (spec->method == search::Method::kTpe) {
    out << "tpe: the first " << spec->tpe.startup_trials
        << " trials are random (the preview below); later ones are chosen from the results so far\n";
    if (const std::string w = TpeWarning(*spec, total); !w.empty()) out << "warning: " << w << "\n";
  }
  if (auto pruning = PruningSummary(*spec); !pruning.empty()) out << "pruning: " << pruning << "\n";
  if (spec->trainer.runs_command()) out << "command: " << ShellLine(spec->trainer.command.argv) << "\n";
  if (!note.empty()) out << "note: " << note << "\n";
  if (trials.empty()) return 0;
  // Columns: searched parameters (those that vary or are conditional) in spec order.
  std::vector<std::string> cols;
  for (const auto& p : spec->parameters) cols.push_back(p.name);
  std::vector<std::string> header = {"trial"};
  header.insert(header.end(), cols.begin(), cols.end());
  if (spec->trainer.runs_command()) header.push_back("command");
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    std::vector<std::string> row = {std::to_string(i)};
    for (const auto& c : cols) row.push_back(trials[i].contains(c) ? Cell(ToJson(trials[i].at(c))) : "-");
    if (spec->trainer.runs_command()) row.push_back(ShellLine(CommandOf(*spec, trials[i], static_cast<int64_t>(i))));
    rows.push_back(std::move(row));
  }
  out << "\n";
  PrintTable(out, header, rows);
  if (static_cast<int64_t>(trials.size()) < total)
    out << "... " << (total - static_cast<int64_t>(trials.size())) << " more\n";
  // A conv net's shapes layer by layer, once per distinct network.
  std::map<std::string, std::vector<std::size_t>> networks;  // layer table → trials
  std::vector<std::string> order;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    auto net = Network(*spec, trials[i]);
    if (!net) continue;
    std::ostringstream table;
    PrintLayers(table, *net);
    if (!networks.contains(table.str())) order.push_back(table.str());
    networks[table.str()].push_back(i);
  }
  for (const std::string& table : order) {
    out << "\nnetwork of trial" << (networks[table].size() == 1 ? " " : "s ") << absl::StrJoin(networks[table], ", ")
        << ":\n"
        << table;
  }
  return 0;
}

namespace {

// The argv trial `index` runs, as the runner fills it (worker/runtime/command_launch):
// the trial's values, its number, attempt 1 and its seed; the sweep's id and the
// trial directory are known only once it runs, so they stay as written.
std::vector<std::string> CommandOf(const search::Spec& spec, const Params& trial, int64_t index) {
  std::map<std::string, std::string> values;
  for (const auto& [k, v] : trial) values[k] = ArgumentText(v);
  values["sweep"] = "{sweep}";
  values["trial"] = std::to_string(index);
  values["attempt"] = "1";
  values["seed"] = std::to_string(search::TrialSeed(spec, index));
  values["trial_dir"] = "{trial_dir}";
  std::vector<std::string> argv;
  for (const auto& a : spec.trainer.command.argv) argv.push_back(Fill(a, values));
  return argv;
}

// Characters on screen: UTF-8 bytes that start a character (× is two bytes, one
// column).
std::size_t Columns(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// layer, output shape (left-aligned), parameters (right-aligned), then the total.
void PrintLayers(std::ostream& out, const NetworkPreview& net) {
  std::vector<std::array<std::string, 3>> rows = {{"layer", "output", "parameters"}};
  for (const LayerRow& l : net.layers) rows.push_back({l.layer, l.shape, std::to_string(l.parameters)});
  std::array<std::size_t, 3> width{};
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < 3; ++c) width[c] = std::max(width[c], Columns(r[c]));
  }
  for (const auto& r : rows) {
    out << r[0] << std::string(width[0] - Columns(r[0]) + 2, ' ') << r[1]
        << std::string(width[1] - Columns(r[1]) + 2 + width[2] - Columns(r[2]), ' ') << r[2] << "\n";
  }
  out << "total: " << net.parameters << " parameters\n";
}

// A built-in trial's conv net (the trial's values include the fixed settings).
std::optional<NetworkPreview> Network(const search::Spec& spec, const Params& trial) {
  if (!spec.trainer.builtin()) return std::nullopt;
  return PreviewConvNetwork(spec.dataset, trial);
}

std::string ShellLine(const std::vector<std::string>& argv) {
  std::vector<std::string> words;
  for (const auto& a : argv) words.push_back(ShellWord(a));
  return absl::StrJoin(words, " ");
}

// TPE whose budget ends within its random start-up never uses its model.
std::string TpeWarning(const search::Spec& spec, int64_t total) {
  if (spec.method != search::Method::kTpe || total > spec.tpe.startup_trials) return "";
  return absl::StrCat("budget.max_trials (", total, ") <= tpe.startup_trials (", spec.tpe.startup_trials,
                      "): every trial is a random draw and TPE's model is never used; raise budget.max_trials or "
                      "lower tpe.startup_trials (or use method: random)");
}

std::string PruningSummary(const search::Spec& spec) {
  const search::Pruning& p = spec.pruning;
  switch (p.method) {
    case search::PruningMethod::kNone:
      return "";
    case search::PruningMethod::kMedian:
      return absl::StrCat("median: from epoch ", p.warmup_epochs + p.interval, ", every ", p.interval,
                          " epoch(s), once ", p.startup_trials, " trials completed");
    case search::PruningMethod::kAsha: {
      search::SuccessiveHalving sh(p.min_epochs, p.reduction_factor, 0, search::MaxEpochs(spec), "", true);
      return absl::StrCat("asha: rungs at epochs ", absl::StrJoin(sh.rungs(), ", "), "; the top 1/", p.reduction_factor,
                          " at each rung go on");
    }
    case search::PruningMethod::kHyperband: {
      search::HyperbandPlan plan(p, search::MaxEpochs(spec));
      return absl::StrCat("hyperband: ", plan.brackets(), " brackets (trials dealt ",
                          absl::StrJoin(plan.budgets(), ":"), "), ASHA with η = ", p.reduction_factor, " within each");
    }
  }
  return "";
}

class PlanCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "plan", "Validate a sweep spec and preview its trials (offline)",
                           "hpsearch plan examples/quickstart.yaml --limit 5");
    cmd->add_option("spec", options_.spec_path, "Sweep spec (YAML)")->required();
    cmd->add_option("--limit", options_.limit, "Trials to show (0 = all)")->check(CLI::NonNegativeNumber);
    return cmd;
  }
  // Offline: no server, whatever --server says.
  int Run(Context& ctx) override {
    options_.format = ctx.global.format;
    return RunPlan(options_, ctx.out, ctx.err);
  }

 private:
  PlanOptions options_;
};

}  // namespace

std::unique_ptr<Command> MakePlanCommand() { return std::make_unique<PlanCommand>(); }

}  // namespace hpsearch::client
