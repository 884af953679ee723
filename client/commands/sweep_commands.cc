// A sweep as a whole: submit, status, stop, cancel (list: list_command.cc).
#include <cmath>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/commands/call_and_print.h"
#include "client/commands/commands.h"
#include "client/format.h"
#include "client/views.h"
#include "common/util/printable.h"
#include "proto/convert/spec_convert.h"
#include "search/spec_file.h"
#include "search/spec_validator.h"

namespace hpsearch::client {

namespace v1 = hpsearch::v1;
using nlohmann::json;

namespace {

void PrintSweepLine(const v1::Sweep& s, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << SweepJson(s).dump() << "\n";
  } else {
    out << s.id() << " " << Printable(s.name()) << " (" << s.total_trials() << " trials)\n";
  }
}

}  // namespace

int RunSubmit(Connection& c, const SubmitOptions& o, std::ostream& out, std::ostream& err) {
  auto spec = LoadSpecFile(o.spec_path);
  if (!spec.ok()) {
    err << "error: " << o.spec_path << ": " << spec.status().message() << "\n";
    return kExitUsage;
  }
  if (!o.name.empty()) spec->name = o.name;
  for (const auto& label : o.labels) {
    const auto eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      err << "error: --label '" << label << "': give NAME=VALUE, e.g. --label team=vision\n";
      return kExitUsage;
    }
    spec->labels[label.substr(0, eq)] = label.substr(eq + 1);
  }
  // Validate locally first for a fast answer; the server validates again.
  if (auto st = search::ValidateSpec(*spec, search::SpecLimits{}); !st.ok()) {
    err << "error: " << o.spec_path << ": " << st.message() << "\n";
    return kExitUsage;
  }
  v1::SubmitSweepRequest req;
  *req.mutable_spec() = convert::ToProto(*spec);
  // One id for this submission and all its retries: if the server stored the sweep
  // but the reply was lost (a restart, a dropped connection), the retry returns that
  // sweep instead of making a second one.
  req.set_request_id(NewRequestId());
  v1::Sweep sweep;
  grpc::Status st =
      WithRetries(c, err, [&](grpc::ClientContext* ctx) { return c.sweeps().SubmitSweep(ctx, req, &sweep); });
  if (!st.ok()) return ReportError(st, c.options(), err);
  if (o.watch) {
    if (c.options().format != OutputFormat::kJson) PrintSweepLine(sweep, OutputFormat::kTable, out);
    return RunWatch(c, {.sweep = sweep.id()}, out, err);
  }
  PrintSweepLine(sweep, c.options().format, out);
  return kExitOk;
}

grpc::Status FetchSweep(Connection& c, const std::string& sweep, v1::Sweep* out) {
  v1::GetSweepRequest req;
  req.set_sweep(sweep);
  auto ctx = c.Call();
  return c.sweeps().GetSweep(ctx.get(), req, out);
}

namespace {

// What `status` shows of a sweep, as JSON and as field/value rows.
// A multi-objective sweep's front: "3 trials on the front of 12 ranked, hypervolume
// 0.0712 (reference point: val_accuracy 0.45, parameter_count 1.2e+05)"; `j` gains it.
std::string ParetoText(const v1::ParetoSummary& p, json& j) {
  std::vector<std::string> reference;
  for (int i = 0; i < p.reference_point_size() && i < p.metrics_size(); ++i)
    // Optuna's rule puts a worst value of 0 at 1e-12: shown as the 0 it stands for.
    reference.push_back(absl::StrCat(Printable(p.metrics(i)), " ",
                                     Cell(std::abs(p.reference_point(i)) < 1e-9 ? 0.0 : p.reference_point(i))));
  j["pareto"] = {{"front_size", p.front_size()},
                 {"ranked_trials", p.ranked_trials()},
                 {"hypervolume", p.hypervolume()},
                 {"reference_point", std::vector<double>(p.reference_point().begin(), p.reference_point().end())}};
  if (p.ranked_trials() == 0) return "no completed trial yet";
  return absl::StrFormat("%d trial%s on the front of %d ranked, hypervolume %.4g (reference point: %s)", p.front_size(),
                         p.front_size() == 1 ? "" : "s", p.ranked_trials(), p.hypervolume(),
                         absl::StrJoin(reference, ", "));
}

struct StatusView {
  json j;
  std::vector<std::vector<std::string>> rows;
};

StatusView Summarize(Connection& c, const v1::Sweep& s) {
  const auto& k = s.counts();
  const int64_t now = NowMs();
  const int64_t end = s.finished_ms() > 0 ? s.finished_ms() : now;
  // Running time: not the time it sat finished before an extend or retry.
  const double elapsed = std::max<int64_t>(0, end - s.created_ms() - s.idle_ms()) / 1000.0;
  const int64_t done = k.completed() + k.failed() + k.pruned() + k.cancelled();
  json j = SweepJson(s);
  j["elapsed_seconds"] = elapsed;
  // What the strategy says about the plan (a grid cut by max_trials, a space too
  // small for it), unless the final reason already says it.
  const std::string note = PlanNote(s);
  const bool show_note = !note.empty() && s.status_reason().find(note) == std::string::npos;
  if (show_note) j["note"] = note;
  // A running sweep with work waiting and nothing running: is any worker there? (An
  // external sweep's trials run in the clients that ask for them, not on workers.)
  std::string idle;
  if (WaitsForAWorker(s)) {
    std::vector<v1::Worker> workers;
    if (FetchWorkers(c, &workers).ok() && workers.empty()) {
      idle =
          "no worker is connected, so nothing runs: the server has no embedded workers (--workers 0) and no "
          "hpsearch-worker called in within a lease; start one with hpsearch-worker --server HOST:PORT";
      j["workers"] = 0;
      j["warning"] = idle;
    }
  }
  // A stopping sweep finishes what runs; the trials it has not started never will.
  const bool stopping = s.status() == v1::SWEEP_STOPPING;
  const int64_t will_run = TrialsThatWillRun(s);
  std::string eta = "-";
  if (s.finished_ms() == 0 && done > 0 && done < will_run) {
    const double remaining = elapsed / static_cast<double>(done) * static_cast<double>(will_run - done);
    j["eta_seconds"] = remaining;
    eta = Duration(remaining);
  } else {
    j["eta_seconds"] = nullptr;
  }
  std::vector<std::vector<std::string>> rows = {
      {"sweep", s.id() + " " + s.name()},
      {"status", StatusName(s.status()) + (s.status_reason().empty() ? "" : " (" + OneLine(s.status_reason()) + ")")},
      {"objective", ObjectiveLabel(s)},
  };
  if (const auto spec = SpecOf(s)) {
    rows.push_back({"search", SearchLabel(*spec)});
    rows.push_back({"trains", TrainerLabel(*spec)});
    j["search"] = SearchLabel(*spec);
    j["trains"] = TrainerLabel(*spec);
  }
  if (const std::string labels = LabelsText(s); !labels.empty()) rows.push_back({"labels", labels});
  if (s.has_pareto()) rows.push_back({"pareto", ParetoText(s.pareto(), j)});
  const std::vector<std::vector<std::string>> progress = {
      {"progress",
       absl::StrFormat("%d/%d done", done, s.total_trials()) +
           (k.not_started() <= 0        ? ""
            : SweepFinished(s.status()) ? absl::StrFormat(", %d never started (the sweep ended first)", k.not_started())
            : stopping ? absl::StrFormat(", %d will not start (the sweep is stopping)", k.not_started())
                       : absl::StrFormat(", %d to come", k.not_started()))},
      {"trials", absl::StrFormat("%d pending, %d running, %d completed, %d failed, %d pruned, %d cancelled",
                                 k.pending(), k.running(), k.completed(), k.failed(), k.pruned(), k.cancelled())},
      {"best", s.has_best_objective()
                   ? absl::StrFormat("%s (trial %d)", ObjectiveText(s.best_objective()), s.best_trial())
                   : "-"},
      {"elapsed", Duration(elapsed)},
      {"eta", eta},
  };
  rows.insert(rows.end(), progress.begin(), progress.end());
  if (show_note) rows.push_back({"note", note});
  if (!idle.empty()) rows.push_back({"warning", idle});
  return {std::move(j), std::move(rows)};
}

}  // namespace

int RunStatus(Connection& c, const std::string& sweep, std::ostream& out, std::ostream& err) {
  v1::GetSweepRequest req;
  req.set_sweep(sweep);
  return CallAndPrint<v1::Sweep>(
      c, [&](grpc::ClientContext* ctx, v1::Sweep* s) { return c.sweeps().GetSweep(ctx, req, s); },
      {.json = [&](const v1::Sweep& s) { return Summarize(c, s).j; },
       .indent = 2,
       .csv =
           [&](const v1::Sweep& s, std::ostream& out) {
             PrintCsv(out, {"field", "value"}, Summarize(c, s).rows);
           },
       .text =
           [&](const v1::Sweep& s, std::ostream& out) {
             for (const auto& r : Summarize(c, s).rows) {
               out << absl::StrFormat("%-10s %s\n", r[0] + ":", Printable(r[1]));
             }
           }},
      out, err);
}

int RunCancel(Connection& c, const std::string& sweep, bool graceful, std::ostream& out, std::ostream& err) {
  v1::CancelSweepRequest req;
  req.set_sweep(sweep);
  req.set_graceful(graceful);
  v1::Sweep s;
  auto ctx = c.Call();
  grpc::Status st = c.sweeps().CancelSweep(ctx.get(), req, &s);
  if (st.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    // Already finished: what the user asked for holds; say so and succeed (like
    // `kubectl delete --ignore-not-found`, a script may stop a sweep twice).
    if (c.options().format == OutputFormat::kJson) {
      out << json{{"sweep", sweep}, {"already_finished", true}, {"message", st.error_message()}}.dump() << "\n";
    } else {
      out << Printable(st.error_message()) << "; nothing to " << (graceful ? "stop" : "cancel") << "\n";
    }
    return kExitOk;
  }
  if (!st.ok()) return ReportError(st, c.options(), err);
  if (c.options().format == OutputFormat::kJson) {
    out << SweepJson(s).dump() << "\n";
  } else {
    out << s.id() << " " << StatusName(s.status())
        << (graceful && s.status() == v1::SWEEP_STOPPING
                ? absl::StrFormat(": %d running trials will finish", s.counts().running())
                : "")
        << "\n";
  }
  return kExitOk;
}

namespace {

class SubmitCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd =
        AddCommand(app, "submit", "Submit a sweep; prints its id", "hpsearch submit examples/quickstart.yaml --watch");
    cmd->add_option("spec", options_.spec_path, "Sweep spec (YAML)")->required();
    cmd->add_option("--name", options_.name, "Name the sweep (overrides the spec's name)");
    cmd->add_flag("--watch", options_.watch, "Watch it until it ends");
    cmd->add_option("--label", options_.labels, "Tag the sweep NAME=VALUE (repeatable; adds to the spec's labels)");
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override { return RunSubmit(c, options_, ctx.out, ctx.err); }

 private:
  SubmitOptions options_;
};

class StatusCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "status", "One sweep: counts, best so far, elapsed, ETA", "hpsearch status quickstart");
    cmd->add_option("sweep", sweep_, "Sweep id or name")->required();
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override { return RunStatus(c, sweep_, ctx.out, ctx.err); }

 private:
  std::string sweep_;
};

// `stop` (graceful) or `cancel`.
class CancelCommand final : public ServerCommand {
 public:
  explicit CancelCommand(bool graceful) : graceful_(graceful) {}
  CLI::App* Register(CLI::App& app) override {
    auto* cmd =
        graceful_
            ? AddCommand(app, "stop", "Start nothing new; running trials finish", "hpsearch stop quickstart")
            : AddCommand(app, "cancel", "Cancel: running trials stop within an epoch", "hpsearch cancel quickstart");
    cmd->add_option("sweep", sweep_, "Sweep id or name")->required();
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override { return RunCancel(c, sweep_, graceful_, ctx.out, ctx.err); }

 private:
  const bool graceful_;
  std::string sweep_;
};

}  // namespace

std::unique_ptr<Command> MakeSubmitCommand() { return std::make_unique<SubmitCommand>(); }
std::unique_ptr<Command> MakeStatusCommand() { return std::make_unique<StatusCommand>(); }
std::unique_ptr<Command> MakeStopCommand() { return std::make_unique<CancelCommand>(/*graceful=*/true); }
std::unique_ptr<Command> MakeCancelCommand() { return std::make_unique<CancelCommand>(/*graceful=*/false); }

}  // namespace hpsearch::client
