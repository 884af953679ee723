// trial: one trial in detail (parameters, attempts, metrics, learning curve), or as
// a trial file that `hpsearch-worker train` trains again.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/command_line.h"
#include "client/commands/call_and_print.h"
#include "client/commands/commands.h"
#include "client/format.h"
#include "client/trial_table.h"
#include "client/views.h"
#include "common/util/counted.h"
#include "common/util/printable.h"
#include "common/util/value_json.h"
#include "common/vocabulary/conv_stack.h"
#include "common/vocabulary/metrics.h"
#include "search/spec_validator.h"
#include "search/spec_writer.h"

namespace hpsearch::client {

namespace v1 = hpsearch::v1;
using nlohmann::json;

namespace {

// One line per metric: first value, a sparkline over the epochs, last value.
void PrintCurves(const v1::Trial& t, std::ostream& out) {
  std::vector<std::string> names;
  for (const auto& e : t.epochs()) {
    for (const auto& [k, v] : e.metrics()) {
      if (std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
    }
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::vector<double> v;
    for (const auto& e : t.epochs()) {
      auto it = e.metrics().find(name);
      if (it != e.metrics().end()) v.push_back(it->second);
    }
    if (v.empty()) continue;
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    const std::string line = Sparkline(v);
    out << absl::StrFormat("  %-16s %9s %s %-9s (min %s, max %s)\n", name, Cell(v.front()), line, Cell(v.back()),
                           Cell(*lo), Cell(*hi));
  }
}

// `trial -o csv`: the learning curve, an epoch a row.
void PrintCurveCsv(const v1::Trial& t, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : t.epochs()) {
    std::vector<std::string> row = {std::to_string(e.epoch()), Exact(e.lr()), Exact(e.seconds())};
    for (const char* m : {"train_loss", "train_accuracy", "val_loss", "val_accuracy"}) {
      row.push_back(e.metrics().count(m) ? Exact(e.metrics().at(m)) : "");
    }
    rows.push_back(std::move(row));
  }
  PrintCsv(out, {"epoch", "lr", "seconds", "train_loss", "train_accuracy", "val_loss", "val_accuracy"}, rows);
}

// The command line trial `t`'s latest attempt that started ran, for a sweep of the
// user's own program; empty otherwise (none started yet: a pending trial, or one a
// retry queued again shows the attempt before).
std::vector<std::string> CommandRan(const std::optional<search::Spec>& spec, const v1::Trial& t) {
  if (!spec || !spec->trainer.runs_command()) return {};
  const v1::Attempt* ran = nullptr;
  for (const auto& a : t.attempts()) {
    if (ran == nullptr || a.attempt() > ran->attempt()) ran = &a;
  }
  auto params = ParamsFromJson(TrialJson(t)["params"]);
  if (ran == nullptr || !params.ok()) return {};
  return CommandLine(*spec, *params,
                     {.sweep = t.sweep_id(), .index = t.index(), .attempt = ran->attempt(), .seed = ran->seed()});
}

void PrintTrialDetail(const v1::Trial& t, const std::vector<std::string>& command, std::ostream& out) {
  const json j = TrialDetailJson(t);
  out << absl::StrFormat("trial %d of %s: %s", t.index(), Printable(t.sweep_id()), StatusName(t.status()));
  if (t.has_objective()) out << "  objective " << ObjectiveText(t.objective());
  out << "\n";
  if (!t.failure_reason().empty()) out << "  reason: " << Indented(t.failure_reason(), "    ") << "\n";
  out << "parameters:\n";
  for (const auto& [k, v] : j["params"].items()) out << absl::StrFormat("  %-16s %s\n", Printable(k), Cell(v));
  out << absl::StrFormat("run: attempt %d on %s, %s", t.attempt(), t.worker().empty() ? "-" : Printable(t.worker()),
                         RunTime(t));
  if (t.parameter_count() > 0) out << ", " << t.parameter_count() << " network parameters";
  out << ", seed " << t.seed() << "\n";
  if (!command.empty()) out << "command: " << ShellLine(command) << "\n";
  for (const auto& a : t.attempts()) {
    out << absl::StrFormat("  attempt %d  %-14s %s%s\n", a.attempt(), Printable(a.worker()),
                           a.outcome().empty() ? "running" : Printable(a.outcome()),
                           a.seed() != t.seed() ? absl::StrCat("  (seed ", a.seed(), ")") : "");
  }
  if (t.metrics_size() > 0) {
    out << "final metrics:\n";
    std::map<std::string, double> m(t.metrics().begin(), t.metrics().end());
    for (const auto& [k, v] : m) out << absl::StrFormat("  %-16s %s\n", Printable(k), Cell(v));
  }
  if (t.epochs_size() > 0) {
    out << "learning curve (" << Counted(t.epochs_size(), "epoch") << "):\n";
    PrintCurves(t, out);
  }
  if (t.diagnostics_size() > 0) {
    // Conv layers first (pooling learns nothing: no row), then the hidden dense ones.
    int convs = 0;
    if (auto settings = ParamsFromJson(TrialJson(t)["params"]); settings.ok()) {
      for (const auto& l : vocabulary::ConvLayersFromSettings(*settings)) {
        convs += l.kind == vocabulary::ConvLayer::Kind::kConv;
      }
    }
    out << "activations (mean ± std per layer: "
        << (convs > 0 ? absl::StrCat("conv 1-", convs, ", then the hidden dense layers") : "the hidden layers")
        << "):\n";
    for (const auto& d : t.diagnostics()) {
      std::string layers;
      for (int i = 0; i < d.mean_size() && i < d.std_size(); ++i) {
        layers += absl::StrFormat("  %s±%s", Cell(d.mean(i)), Cell(d.std(i)));
      }
      out << absl::StrFormat("  epoch %-3d%s\n", d.epoch(), layers);
    }
  }
}

}  // namespace

int RunTrial(Connection& c, const TrialOptions& o, std::ostream& out, std::ostream& err) {
  // The sweep's spec too: a command trial shows the command line it ran.
  v1::Sweep sweep;
  if (grpc::Status st = FetchSweep(c, o.sweep, &sweep); !st.ok()) return ReportError(st, c.options(), err);
  const std::optional<search::Spec> spec = SpecOf(sweep);
  v1::GetTrialRequest req;
  req.set_sweep(sweep.id());
  req.set_index(o.index);
  const auto detail = [&](const v1::Trial& t) {
    nlohmann::json j = TrialDetailJson(t);
    if (auto command = CommandRan(spec, t); !command.empty()) j["command"] = command;
    return j;
  };
  const auto text = [&](const v1::Trial& t, std::ostream& os) { PrintTrialDetail(t, CommandRan(spec, t), os); };
  return CallAndPrint<v1::Trial>(
      c, [&](grpc::ClientContext* ctx, v1::Trial* t) { return c.sweeps().GetTrial(ctx, req, t); },
      {.json = detail, .indent = 2, .csv = PrintCurveCsv, .text = text}, out, err);
}

int RunTrialAsFile(Connection& c, const TrialOptions& o, std::ostream& out, std::ostream& err) {
  v1::Sweep sweep;
  if (grpc::Status st = FetchSweep(c, o.sweep, &sweep); !st.ok()) return ReportError(st, c.options(), err);
  v1::GetTrialRequest req;
  req.set_sweep(sweep.id());
  req.set_index(o.index);
  v1::Trial t;
  auto ctx = c.Call();
  if (grpc::Status st = c.sweeps().GetTrial(ctx.get(), req, &t); !st.ok()) return ReportError(st, c.options(), err);
  const auto spec = SpecOf(sweep);
  if (!spec) {
    err << "error: the spec of " << sweep.id() << " cannot be read\n";
    return kExitServerError;
  }
  if (spec->trainer.runs_command()) {
    err << "error: trial " << o.index << " of " << sweep.id()
        << " runs a command (trainer.command), not the built-in trainer: `hpsearch trial " << sweep.id() << " "
        << o.index << "` shows the command line it ran\n";
    return kExitUsage;
  }
  if (spec->trainer.external()) {
    err << "error: trial " << o.index << " of " << sweep.id()
        << " ran in the client that asked for it (trainer: external), not the built-in trainer\n";
    return kExitUsage;
  }
  auto settings = ParamsFromJson(TrialJson(t)["params"]);
  if (!settings.ok()) {
    err << "error: trial " << o.index << " of " << sweep.id() << ": " << settings.status().message() << "\n";
    return kExitServerError;
  }
  out << "# trial " << t.index() << " of " << sweep.id() << " '" << Printable(sweep.name()) << "' ("
      << StatusName(t.status()) << (t.has_objective() ? ", objective " + ObjectiveText(t.objective()) : "")
      << "): train it again with\n#   hpsearch-worker train --config FILE\n"
      << search::TrialFileYaml(spec->dataset, *settings, t.seed(), search::ObjectiveMetric(*spec));
  return kExitOk;
}

namespace {

class TrialCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "trial", "One trial: parameters, attempts, metrics and learning curve",
                           "hpsearch trial quickstart 3");
    cmd->add_option("sweep", options_.sweep, "Sweep id or name")->required();
    cmd->add_option("index", options_.index, "Trial index (from 0)")->required()->check(TrialIndex());
    cmd->add_flag("--as-trial-file", options_.as_trial_file,
                  "Print it as a trial file: hpsearch-worker train --config FILE trains it again, to the same numbers");
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override {
    return options_.as_trial_file ? RunTrialAsFile(c, options_, ctx.out, ctx.err)
                                  : RunTrial(c, options_, ctx.out, ctx.err);
  }

 private:
  TrialOptions options_;
};

}  // namespace

std::unique_ptr<Command> MakeTrialCommand() { return std::make_unique<TrialCommand>(); }

}  // namespace hpsearch::client
