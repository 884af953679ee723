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
#include "client/command_line.h"
#include "client/format.h"
#include "client/local_dataset.h"
#include "client/network_preview.h"
#include "client/option_checks.h"
#include "common/util/value_json.h"
#include "common/vocabulary/metrics.h"
#include "search/hyperband_pruner.h"
#include "search/objectives.h"
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
std::string TpeWarning(const search::Spec& spec, int64_t total);
std::string ObjectivesText(const search::Spec& spec);
}  // namespace

namespace {

// What plan shows: the spec as read and checked, and the trials it previews.
struct Preview {
  search::Spec spec;
  std::string dataset_note;     // what was found out about a local dataset file
  bool objective_open = false;  // a csv whose task only the file (not here) tells
  std::string objective;        // "maximize val_accuracy"
  std::vector<Params> trials;   // the first of the sweep's trials
  int64_t total = 0;
  std::string note;  // the strategy's
};

// Reads and checks the spec and previews its trials; on an error, the message.
absl::StatusOr<Preview> MakePreview(const PlanOptions& o) {
  Preview v;
  auto spec = LoadSpecFile(o.spec_path);
  if (!spec.ok()) return spec.status();
  v.spec = std::move(*spec);
  if (auto st = search::ValidateSpec(v.spec, {}); !st.ok()) return st;
  if (auto st = CheckLocalDataset(v.spec, o.spec_path, v.dataset_note); !st.ok()) return st;
  if (auto st = search::ValidateSpec(v.spec, {}); !st.ok()) return st;  // again with the file's task known
  v.objective_open =
      v.spec.objective.metric.empty() && vocabulary::TaskOf(v.spec.dataset) == vocabulary::Task::kUnknown;
  v.objective = v.objective_open
                    ? "maximize val_accuracy (classification) or minimize val_loss (regression), as the file decides"
                    : ObjectivesText(v.spec);
  auto strategy = search::MakeStrategy(v.spec);
  if (!strategy.ok()) return strategy.status();
  // TPE's trials past its start-up depend on results: only the start-up can be shown.
  // --limit 0: every trial, as for `trials` (TPE's start-up, for the reason above).
  const int64_t wanted = o.limit == 0 ? INT64_MAX : o.limit;
  // NSGA-II's likewise: its first generation.
  const int64_t limit = v.spec.method == search::Method::kTpe     ? std::min<int64_t>(wanted, v.spec.tpe.startup_trials)
                        : v.spec.method == search::Method::kNsga2 ? std::min<int64_t>(wanted, v.spec.nsga2.population)
                                                                  : wanted;
  for (int64_t i = 0; i < limit; ++i) {
    auto p = (*strategy)->Next();
    if (!p) break;
    v.trials.push_back(std::move(*p));
  }
  v.total = (*strategy)->total();
  v.note = (*strategy)->note();
  return v;
}

void PrintJson(const Preview& v, std::ostream& out) {
  const search::Spec& spec = v.spec;
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < v.trials.size(); ++i) {
    nlohmann::json t = ToJson(v.trials[i]);
    // A command trial's argv as it will run (no shell: one element per argument).
    if (spec.trainer.runs_command()) t["command"] = CommandOf(spec, v.trials[i], static_cast<int64_t>(i));
    // A conv net's layers, each with its output shape and parameters.
    if (auto net = Network(spec, v.trials[i])) {
      nlohmann::json layers = nlohmann::json::array();
      for (const LayerRow& l : net->layers) {
        layers.push_back({{"layer", l.layer}, {"output", l.shape}, {"parameters", l.parameters}});
      }
      t["network"] = {{"layers", layers}, {"parameters", net->parameters}};
    }
    list.push_back(std::move(t));
  }
  nlohmann::json j = {
      {"total_trials", v.total},
      {"trials", list},
      {"method", search::MethodName(spec.method)},
      {"objective", v.objective_open
                        ? nlohmann::json(nullptr)
                        : nlohmann::json{{"metric", search::ObjectiveMetric(spec)},
                                         {"goal", search::ObjectiveMaximized(spec) ? "maximize" : "minimize"}}}};
  if (!v.note.empty()) j["note"] = v.note;
  if (const std::string w = TpeWarning(spec, v.total); !w.empty()) j["warnings"] = {w};
  if (spec.trainer.runs_command()) j["command"] = spec.trainer.command.argv;
  if (!spec.dataset.task.empty()) j["task"] = spec.dataset.task;
  if (!v.dataset_note.empty()) j["dataset_note"] = v.dataset_note;
  out << j.dump(2) << "\n";
}

// The trials as rows: a column per parameter (in spec order), then a command trial's
// command line.
std::vector<std::string> Header(const search::Spec& spec) {
  std::vector<std::string> header = {"trial"};
  for (const auto& p : spec.parameters) header.push_back(p.name);
  if (spec.trainer.runs_command()) header.push_back("command");
  return header;
}

// `absent`: a conditional parameter's cell when the trial has no value; `cell` renders one.
std::vector<std::vector<std::string>> Rows(const Preview& v, const std::string& absent,
                                           std::string (*cell)(const nlohmann::json&)) {
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < v.trials.size(); ++i) {
    std::vector<std::string> row = {std::to_string(i)};
    for (const auto& p : v.spec.parameters) {
      const auto it = v.trials[i].find(p.name);
      row.push_back(it == v.trials[i].end() ? absent : cell(ToJson(it->second)));
    }
    if (v.spec.trainer.runs_command()) {
      row.push_back(ShellLine(CommandOf(v.spec, v.trials[i], static_cast<int64_t>(i))));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// A conv net's shapes layer by layer, once per distinct network.
void PrintNetworks(const Preview& v, std::ostream& out) {
  std::map<std::string, std::vector<std::size_t>> networks;  // layer table → trials
  std::vector<std::string> order;
  for (std::size_t i = 0; i < v.trials.size(); ++i) {
    auto net = Network(v.spec, v.trials[i]);
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
}

void PrintText(const Preview& v, const std::string& path, std::ostream& out) {
  const search::Spec& spec = v.spec;
  out << "spec " << path << " is valid: " << v.total << " trial" << (v.total == 1 ? "" : "s") << " ("
      << search::MethodName(spec.method) << "), objective " << v.objective << "\n";
  if (!v.dataset_note.empty()) out << "dataset: " << v.dataset_note << "\n";
  if (spec.method == search::Method::kTpe) {
    out << "tpe: the first " << spec.tpe.startup_trials
        << " trials are random (the preview below); later ones are chosen from the results so far\n";
    if (const std::string w = TpeWarning(spec, v.total); !w.empty()) out << "warning: " << w << "\n";
  }
  if (spec.method == search::Method::kNsga2) {
    out << "nsga2: the first generation (" << spec.nsga2.population
        << " completed trials) is random (the preview below); later ones are bred from the best so far\n";
  }
  if (auto pruning = PruningSummary(spec); !pruning.empty()) out << "pruning: " << pruning << "\n";
  if (spec.trainer.runs_command()) out << "command: " << ShellLine(spec.trainer.command.argv) << "\n";
  if (!v.note.empty()) out << "note: " << v.note << "\n";
  if (v.trials.empty()) return;
  out << "\n";
  PrintTable(out, Header(spec), Rows(v, "-", &Cell));
  const auto shown = static_cast<int64_t>(v.trials.size());
  if (shown < v.total) out << "... " << (v.total - shown) << " more\n";
  PrintNetworks(v, out);
}

}  // namespace

int RunPlan(const PlanOptions& o, std::ostream& out, std::ostream& err) {
  auto preview = MakePreview(o);
  if (!preview.ok()) {
    err << "error: " << o.spec_path << ": " << preview.status().message() << "\n";
    return 2;
  }
  switch (o.format) {
    case OutputFormat::kJson:
      PrintJson(*preview, out);
      break;
    case OutputFormat::kCsv:  // the previewed trials, exact values (lists as JSON)
      PrintCsv(out, Header(preview->spec), Rows(*preview, "", &Exact));
      break;
    default:
      PrintText(*preview, o.spec_path, out);
  }
  return 0;
}

namespace {

// The argv trial `index` runs, as the runner fills it: attempt 1 and its seed; the
// sweep's id is known only once it is submitted.
std::vector<std::string> CommandOf(const search::Spec& spec, const Params& trial, int64_t index) {
  return CommandLine(spec, trial, {.index = index, .seed = search::TrialSeed(spec, index)});
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

// "maximize val_accuracy", or for several objectives "maximize val_accuracy,
// minimize parameter_count (the Pareto front)".
std::string ObjectivesText(const search::Spec& spec) {
  std::vector<std::string> parts;
  for (const auto& o : search::ResolvedObjectives(spec))
    parts.push_back(absl::StrCat(o.maximize ? "maximize " : "minimize ", o.metric));
  return absl::StrCat(absl::StrJoin(parts, ", "), search::MultiObjective(spec) ? " (the Pareto front)" : "");
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
      search::HyperbandBrackets plan(p, search::MaxEpochs(spec));
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
    cmd->add_option("--limit", options_.limit, "Trials to show (0 = all)")->check(kNonNegative);
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
