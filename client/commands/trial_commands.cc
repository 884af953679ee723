// A sweep's trials as lists: trials, best, export (one trial in detail: trial_command.cc).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/commands/call_and_print.h"
#include "client/commands/commands.h"
#include "client/format.h"
#include "client/option_checks.h"
#include "client/trial_table.h"
#include "client/views.h"
#include "common/util/printable.h"
#include "common/util/value_json.h"
#include "common/vocabulary/metrics.h"
#include "search/objectives.h"
#include "search/spec_validator.h"

namespace hpsearch::client {

namespace v1 = hpsearch::v1;
using nlohmann::json;

namespace {

// Pages through ListTrials until `limit` trials (0: all).
grpc::Status FetchTrials(Connection& c, v1::ListTrialsRequest req, int64_t limit, std::vector<v1::Trial>* out,
                         int64_t* total) {
  std::string token;
  do {
    const int64_t want = limit > 0 ? limit - static_cast<int64_t>(out->size()) : 1000;
    req.set_page_size(static_cast<int32_t>(std::min<int64_t>(want, 1000)));
    req.set_page_token(token);
    v1::ListTrialsResponse resp;
    auto ctx = c.Call();
    grpc::Status st = c.sweeps().ListTrials(ctx.get(), req, &resp);
    if (!st.ok()) return st;
    for (const auto& t : resp.trials()) out->push_back(t);
    *total = resp.total();
    token = resp.next_page_token();
  } while (!token.empty() && (limit == 0 || static_cast<int64_t>(out->size()) < limit));
  return grpc::Status::OK;
}

// The sweep's spec, to lay out its tables (none when it cannot be read: the
// columns then come from the trials).
std::optional<search::Spec> SweepSpec(Connection& c, const std::string& sweep) {
  v1::Sweep s;
  if (!FetchSweep(c, sweep, &s).ok()) return std::nullopt;
  return SpecOf(s);
}

}  // namespace

int RunTrials(Connection& c, const TrialsOptions& o, std::ostream& out, std::ostream& err) {
  v1::ListTrialsRequest req;
  req.set_sweep(o.sweep);
  if (!o.status.empty()) {
    const v1::TrialStatus s = ParseTrialStatus(o.status);
    if (s == v1::TRIAL_STATUS_UNSPECIFIED) {
      err << "error: --status: '" << o.status
          << "' is not one of pending, running, completed, failed, pruned, cancelled\n";
      return kExitUsage;
    }
    req.set_status(s);
  }
  const std::string sort = o.sort.empty() ? "index" : o.sort;
  req.set_sort_by(sort);
  // Best first for a metric: by the sweep's goal for one of its objectives (a
  // program's `score` it maximizes), else by the name's natural direction (accuracy
  // and r2 descending, losses ascending); --asc / --desc override.
  v1::Sweep sweep;
  const bool have_sweep = FetchSweep(c, o.sweep, &sweep).ok();
  const auto spec = have_sweep ? SpecOf(sweep) : std::nullopt;
  bool maximized = vocabulary::MaximizedByDefault(sort);
  if (spec && sort != "index" && sort != "objective") {
    for (const auto& ob : search::ResolvedObjectives(*spec)) {
      if (ob.metric == sort) maximized = ob.maximize;
    }
  }
  const bool descending = o.descending.value_or(maximized);
  req.set_descending(descending);
  for (const auto& w : o.where) req.add_where(w);
  std::vector<v1::Trial> trials;
  int64_t total = 0;
  grpc::Status st = FetchTrials(c, req, o.limit, &trials, &total);
  // The server names its field; the user typed --sort.
  if (st.error_code() == grpc::StatusCode::INVALID_ARGUMENT && absl::StartsWith(st.error_message(), "sort_by: ")) {
    st = grpc::Status(st.error_code(), "--sort: " + st.error_message().substr(9));
  }
  if (!st.ok()) return ReportError(st, c.options(), err);
  const OutputFormat format = c.options().format;
  if (format == OutputFormat::kJson) {
    out << TrialsJson(trials).dump(2) << "\n";
    return kExitOk;
  }
  if (trials.empty() && IsTable(format)) {
    if (!o.where.empty()) {
      out << "no trials" << (o.status.empty() ? "" : " with status " + o.status) << " where "
          << absl::StrJoin(o.where, " and ") << "\n";
    } else {
      out << "no trials" << (o.status.empty() ? "" : " with status " + o.status) << " yet\n";
    }
    return kExitOk;
  }
  if (format == OutputFormat::kCsv) {
    PrintTrialCsv(trials, out);
    return kExitOk;
  }
  TrialColumns cols;
  cols.params = ParamColumns(spec, trials, o.show_fixed);
  if (have_sweep) cols.objective_metric = sweep.objective_metric();
  cols.wide = format == OutputFormat::kWide;
  const v1::TrialStatus listed = o.status.empty() ? v1::TRIAL_STATUS_UNSPECIFIED : ParseTrialStatus(o.status);
  cols.reasons = cols.wide || listed == v1::FAILED || listed == v1::PRUNED || listed == v1::CANCELLED;
  const bool by_param = spec && (std::any_of(spec->parameters.begin(), spec->parameters.end(),
                                             [&](const auto& p) { return p.name == sort; }) ||
                                 spec->fixed.contains(sort));
  if (by_param && std::find(cols.params.begin(), cols.params.end(), sort) == cols.params.end()) {
    cols.params.push_back(sort);  // a fixed setting sorted by is shown
  }
  if (!by_param && sort != "index" && sort != "objective") cols.metrics.push_back(sort);
  PrintTrialTable(trials, cols, out);
  std::vector<std::string> notes;
  if (std::any_of(trials.begin(), trials.end(), [&](const v1::Trial& t) { return LastValueShown(t, cols); })) {
    notes.push_back("value @k: the objective a trial that did not complete last reported, at epoch k");
  }
  if (static_cast<int64_t>(trials.size()) < total) {
    notes.push_back(absl::StrFormat("%d of %d trials; --limit 0 shows all", trials.size(), total));
  }
  if (!o.where.empty()) notes.push_back(absl::StrCat("where ", absl::StrJoin(o.where, " and ")));
  if (sort != "index") {
    notes.push_back(absl::StrCat("sorted by ", sort,
                                 sort == "objective" ? (descending ? ", worst first" : ", best first")
                                                     : (descending ? ", descending" : ", ascending")));
  }
  if (!notes.empty()) out << "(" << absl::StrJoin(notes, "; ") << ")\n";
  return kExitOk;
}

int RunBest(Connection& c, const BestOptions& o, std::ostream& out, std::ostream& err) {
  v1::GetBestTrialsRequest req;
  req.set_sweep(o.sweep);
  req.set_k(o.k);
  auto trials_of = [](const v1::GetBestTrialsResponse& resp) {
    return std::vector<v1::Trial>(resp.trials().begin(), resp.trials().end());
  };
  return CallAndPrint<v1::GetBestTrialsResponse>(
      c,
      [&](grpc::ClientContext* ctx, v1::GetBestTrialsResponse* resp) {
        return c.sweeps().GetBestTrials(ctx, req, resp);
      },
      {.json = [&](const v1::GetBestTrialsResponse& resp) { return TrialsJson(trials_of(resp)); },
       .indent = 2,
       .csv = [&](const v1::GetBestTrialsResponse& resp, std::ostream& out) { PrintTrialCsv(trials_of(resp), out); },
       .text =
           [&](const v1::GetBestTrialsResponse& resp, std::ostream& out) {
             const std::vector<v1::Trial> trials = trials_of(resp);
             if (trials.empty()) {
               // Why there are none: still to come, or the sweep ended without one.
               v1::Sweep s;
               const bool known = FetchSweep(c, o.sweep, &s).ok();
               const bool ended = known && s.status() != v1::SWEEP_RUNNING && s.status() != v1::SWEEP_STOPPING;
               if (ended) {
                 out << "no completed trials: sweep " << s.id() << " " << StatusName(s.status())
                     << (s.status_reason().empty() ? "" : " (" + OneLine(s.status_reason()) + ")") << "\n";
               } else {
                 out << "no completed trials yet\n";
               }
               return;
             }
             TrialColumns cols;
             const std::optional<search::Spec> spec = SweepSpec(c, o.sweep);
             cols.params = ParamColumns(spec, trials, o.show_fixed);
             // Several objectives: a column each (maximised ones marked), the Pareto rank first.
             if (spec && search::MultiObjective(*spec)) {
               for (const auto& obj : search::ResolvedObjectives(*spec))
                 cols.objectives.push_back(obj.metric + (obj.maximize ? " (max)" : " (min)"));
             }
             // Test metrics (held out, never searched on) next to the objective.
             for (const auto& m : MetricNames(trials)) {
               if (m.rfind("test_", 0) == 0) cols.metrics.push_back(m);
             }
             cols.rank = true;
             cols.wide = c.options().format == OutputFormat::kWide;
             PrintTrialTable(trials, cols, out);
           }},
      out, err);
}

int RunExport(Connection& c, const ExportOptions& o, std::ostream& out, std::ostream& err) {
  const std::string& file = o.file;
  v1::ListTrialsRequest req;
  req.set_sweep(o.sweep);
  req.set_sort_by("index");
  for (const auto& w : o.where) req.add_where(w);
  std::vector<v1::Trial> trials;
  int64_t total = 0;
  grpc::Status st = FetchTrials(c, req, 0, &trials, &total);
  if (!st.ok()) return ReportError(st, c.options(), err);
  std::ofstream f;
  std::ostream* sink = &out;
  if (!file.empty()) {
    f.open(file);
    if (!f) {
      err << "error: --file: cannot write " << file << "\n";
      return kExitUsage;
    }
    sink = &f;
  }
  if (c.options().format == OutputFormat::kJson) {
    *sink << TrialsJson(trials).dump(2) << "\n";
  } else {
    PrintTrialCsv(trials, *sink);
  }
  if (!file.empty()) {
    f.close();
    if (!f) {
      err << "error: --file: writing " << file << " failed\n";
      return kExitServerError;
    }
    err << "exported " << trials.size() << " trials to " << file << "\n";
  }
  return kExitOk;
}

namespace {

class TrialsCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "trials", "A sweep's trials with their parameters",
                           "hpsearch trials quickstart --status completed --sort objective --limit 10");
    cmd->add_option("sweep", options_.sweep, "Sweep id or name")->required();
    cmd->add_option("--status", options_.status, "pending, running, completed, failed, pruned or cancelled");
    cmd->add_option("--sort", options_.sort, "index, objective, a metric (best first) or a parameter")
        ->capture_default_str();
    auto* asc = cmd->add_flag("--asc", ascending_, "Ascending, whatever the key's natural direction");
    cmd->add_flag("--desc", descending_, "Descending, whatever the key's natural direction")->excludes(asc);
    cmd->add_flag("--show-fixed", options_.show_fixed, "Columns for the fixed settings too");
    cmd->add_option("--where", options_.where,
                    "Only trials meeting this condition (repeatable): lr<=0.01, optimizer=adam,sgd, objective>0.85")
        ->allow_extra_args(false);
    cmd->add_option("--limit", options_.limit, "Most trials to show (0 = all)")
        ->check(kNonNegative)
        ->capture_default_str();
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override {
    if (ascending_) options_.descending = false;
    if (descending_) options_.descending = true;
    return RunTrials(c, options_, ctx.out, ctx.err);
  }

 private:
  TrialsOptions options_;
  bool ascending_ = false;
  bool descending_ = false;
};

class BestCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "best", "The best trials by the sweep's objective, with test metrics",
                           "hpsearch best quickstart -k 3");
    cmd->add_option("sweep", options_.sweep, "Sweep id or name")->required();
    cmd->add_option("-k", options_.k, "How many (default 5; with several objectives, the whole Pareto front)")
        ->check(CLI::Range(1, 1000));
    cmd->add_flag("--show-fixed", options_.show_fixed, "Columns for the fixed settings too");
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override { return RunBest(c, options_, ctx.out, ctx.err); }

 private:
  BestOptions options_;
};

// Writes csv unless asked for json; a table is what `trials` prints.
class ExportCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "export", "Every trial as CSV (default) or JSON",
                           "hpsearch export quickstart -o csv --file results.csv");
    cmd->add_option("sweep", options_.sweep, "Sweep id or name")->required();
    cmd->add_option("--file", options_.file, "Write here instead of stdout");
    cmd->add_option("--where", options_.where, "Only trials meeting this condition (repeatable), as for trials")
        ->allow_extra_args(false);
    return cmd;
  }
  OutputFormat DefaultFormat() const override { return OutputFormat::kCsv; }

 protected:
  std::optional<int> Refuse(const Context& ctx) const override {
    if (!IsTable(ctx.global.format)) return std::nullopt;
    ctx.err << "error: export writes csv or json (-o " << OutputFormatName(ctx.global.format)
            << "); for a table of every trial use: hpsearch trials " << options_.sweep << " --limit 0\n";
    return kExitUsage;
  }
  int RunOn(Connection& c, Context& ctx) override { return RunExport(c, options_, ctx.out, ctx.err); }

 private:
  ExportOptions options_;
};

}  // namespace

std::unique_ptr<Command> MakeTrialsCommand() { return std::make_unique<TrialsCommand>(); }
std::unique_ptr<Command> MakeBestCommand() { return std::make_unique<BestCommand>(); }
std::unique_ptr<Command> MakeExportCommand() { return std::make_unique<ExportCommand>(); }

}  // namespace hpsearch::client
