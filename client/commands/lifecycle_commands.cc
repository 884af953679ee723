// extend, retry, delete: a sweep after it was submitted.
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/commands/call_and_print.h"
#include "client/commands/commands.h"
#include "client/option_checks.h"
#include "client/views.h"
#include "common/util/printable.h"
#include "search/spec_file.h"

namespace hpsearch::client {

namespace v1 = hpsearch::v1;
using nlohmann::json;

namespace {

int64_t Done(const v1::Sweep& s) {
  const auto& c = s.counts();
  return c.completed() + c.failed() + c.pruned() + c.cancelled();
}

// "40 trials (30 done, 10 to run)"
std::string Plan(const v1::Sweep& s) {
  const auto& k = s.counts();
  const int64_t to_come = SweepFinished(s.status()) ? 0 : k.not_started();
  return absl::StrFormat("%d trials (%d done, %d to run)", s.total_trials(), Done(s),
                         k.pending() + k.running() + to_come);
}

}  // namespace

int RunExtend(Connection& c, const ExtendOptions& o, std::ostream& out, std::ostream& err) {
  if (o.trials <= 0 && o.seconds <= 0) {
    err << "error: extend: give --trials N, --duration D or both (how much more " << o.sweep << " may run)\n";
    return kExitUsage;
  }
  // Whether it had finished, for the message: fetched first.
  v1::Sweep before;
  if (grpc::Status st = FetchSweep(c, o.sweep, &before); !st.ok()) return ReportError(st, c.options(), err);
  v1::ExtendSweepRequest req;
  req.set_sweep(o.sweep);
  req.set_trials(o.trials);
  req.set_duration_seconds(o.seconds);
  return CallAndPrint<v1::Sweep>(
      c, [&](grpc::ClientContext* ctx, v1::Sweep* s) { return c.sweeps().ExtendSweep(ctx, req, s); },
      {.json = SweepJson,
       .text =
           [&](const v1::Sweep& s, std::ostream& out) {
             const bool reopened = before.status() != v1::SWEEP_RUNNING;
             out << s.id()
                 << (reopened ? absl::StrCat(" was ", StatusName(before.status()), "; running again: ") : " extended: ")
                 << Plan(s);
             const double limit = s.spec().budget().max_duration_seconds();
             if (o.seconds > 0 && limit > 0) out << "; time limit " << Duration(limit) << " from its start";
             out << "\n";
           }},
      out, err);
}

int RunRetry(Connection& c, const RetryOptions& o, std::ostream& out, std::ostream& err) {
  const bool failed = o.failed || !o.cancelled;
  v1::Sweep before;
  if (grpc::Status st = FetchSweep(c, o.sweep, &before); !st.ok()) return ReportError(st, c.options(), err);
  v1::RetryTrialsRequest req;
  req.set_sweep(o.sweep);
  req.set_failed(failed);
  req.set_cancelled(o.cancelled);
  req.set_new_seed(o.new_seed);
  return CallAndPrint<v1::RetryTrialsResponse>(
      c,
      [&](grpc::ClientContext* ctx, v1::RetryTrialsResponse* resp) { return c.sweeps().RetryTrials(ctx, req, resp); },
      {.json =
           [](const v1::RetryTrialsResponse& resp) {
             json j = SweepJson(resp.sweep());
             j["requeued"] = resp.requeued();
             return j;
           },
       .text =
           [&](const v1::RetryTrialsResponse& resp, std::ostream& out) {
             const v1::Sweep& s = resp.sweep();
             const std::string which = failed && o.cancelled ? "failed or cancelled" : failed ? "failed" : "cancelled";
             if (resp.requeued() + resp.resumed() == 0) {
               out << s.id() << " has no " << which << " trials; nothing to retry";
               // The other kind, when there are some: the flag that retries them.
               if (!o.cancelled && s.counts().cancelled() > 0) {
                 out << " (" << s.counts().cancelled() << " cancelled: hpsearch retry " << o.sweep << " --cancelled)";
               } else if (!failed && s.counts().failed() > 0) {
                 out << " (" << s.counts().failed() << " failed: hpsearch retry " << o.sweep << ")";
               }
               out << "\n";
               return;
             }
             out << s.id() << ": " << resp.requeued() << " " << which << " trial" << (resp.requeued() == 1 ? "" : "s")
                 << " requeued as " << (resp.requeued() == 1 ? "a new attempt" : "new attempts");
             if (resp.resumed() > 0) out << ", " << resp.resumed() << " never started";
             if (before.status() != v1::SWEEP_RUNNING) {
               out << "; " << StatusName(before.status()) << " sweep running again";
             }
             out << ": " << Plan(s) << "\n";
           }},
      out, err);
}

int RunDelete(Connection& c, const DeleteOptions& o, std::istream& in, std::ostream& out, std::ostream& err) {
  v1::Sweep s;
  if (grpc::Status st = FetchSweep(c, o.sweep, &s); !st.ok()) return ReportError(st, c.options(), err);
  if (s.status() == v1::SWEEP_RUNNING || s.status() == v1::SWEEP_STOPPING) {
    err << "error: sweep " << s.id() << " is " << StatusName(s.status()) << ": cancel it first (hpsearch cancel "
        << s.id() << "), then delete it\n";
    return kExitServerError;
  }
  const std::string what = absl::StrFormat("sweep %s '%s' (%s, %d trials, created %s)", s.id(), Printable(s.name()),
                                           StatusName(s.status()), Done(s), Timestamp(s.created_ms()));
  if (!o.yes) {
    // Asked on stderr, so `-o json` output stays clean; read from stdin (`echo y |` works).
    err << "Delete " << what << " with its trials and curves? This cannot be undone. [y/N] " << std::flush;
    std::string answer;
    if (!std::getline(in, answer)) answer.clear();
    answer = absl::AsciiStrToLower(absl::StripAsciiWhitespace(answer));
    if (answer != "y" && answer != "yes") {
      err << (in ? "" : "\n") << "not deleted" << (in ? "" : " (no answer; pass --yes to delete without asking)")
          << "\n";
      return kExitServerError;
    }
  }
  v1::DeleteSweepRequest req;
  req.set_sweep(s.id());  // the sweep confirmed, even if a newer one took its name since
  return CallAndPrint<v1::Sweep>(
      c, [&](grpc::ClientContext* ctx, v1::Sweep* gone) { return c.sweeps().DeleteSweep(ctx, req, gone); },
      {.json =
           [](const v1::Sweep& gone) {
             json j = SweepJson(gone);
             j["deleted"] = true;
             return j;
           },
       .text = [&](const v1::Sweep&, std::ostream& out) { out << "deleted " << what << "\n"; }},
      out, err);
}

namespace {

class ExtendCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "extend", "More budget for a running or finished sweep: more trials and/or more time",
                           "hpsearch extend quickstart --trials 20");
    cmd->add_option("sweep", options_.sweep, "Sweep id or name")->required();
    cmd->add_option("--trials", options_.trials, "This many more trials than it plans now")->check(kPositive);
    cmd->add_option("--duration", duration_,
                    "More time (30m, 1h30m, 90s): past a running sweep's limit, from now for a finished one");
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override {
    if (!duration_.empty()) {
      auto seconds = ParseDuration(duration_);
      if (!seconds.ok() || *seconds <= 0) {
        ctx.err << "error: --duration '" << duration_ << "': give a positive duration such as 30m, 1h30m or 90s\n";
        return kExitUsage;
      }
      options_.seconds = *seconds;
    }
    return RunExtend(c, options_, ctx.out, ctx.err);
  }

 private:
  ExtendOptions options_;
  std::string duration_;  // --duration as given
};

class RetryCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "retry", "Run failed (default) or cancelled trials again, as new attempts",
                           "hpsearch retry quickstart --failed --cancelled");
    cmd->add_option("sweep", options_.sweep, "Sweep id or name")->required();
    cmd->add_flag("--failed", options_.failed, "Failed trials (the default)");
    cmd->add_flag("--cancelled", options_.cancelled, "Cancelled trials");
    cmd->add_flag("--new-seed", options_.new_seed,
                  "Each with a new seed (derived from its old one): a failure the seed caused would repeat as it was");
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override { return RunRetry(c, options_, ctx.out, ctx.err); }

 private:
  RetryOptions options_;
};

class DeleteCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "delete", "Delete a finished sweep with its trials (asks first)",
                           "hpsearch delete quickstart --yes");
    cmd->add_option("sweep", options_.sweep, "Sweep id or name")->required();
    cmd->add_flag("-y,--yes", options_.yes, "Do not ask for confirmation");
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override { return RunDelete(c, options_, ctx.in, ctx.out, ctx.err); }

 private:
  DeleteOptions options_;
};

}  // namespace

std::unique_ptr<Command> MakeExtendCommand() { return std::make_unique<ExtendCommand>(); }
std::unique_ptr<Command> MakeRetryCommand() { return std::make_unique<RetryCommand>(); }
std::unique_ptr<Command> MakeDeleteCommand() { return std::make_unique<DeleteCommand>(); }

}  // namespace hpsearch::client
