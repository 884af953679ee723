// extend, retry, delete: a sweep after it was submitted.
#include <iostream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/commands/commands.h"
#include "client/views.h"
#include "common/util/printable.h"

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
  return absl::StrFormat("%d trials (%d done, %d to run)", s.total_trials(), Done(s),
                         s.counts().pending() + s.counts().running());
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
  v1::Sweep s;
  auto ctx = c.Call();
  if (grpc::Status st = c.sweeps().ExtendSweep(ctx.get(), req, &s); !st.ok()) return ReportError(st, c.options(), err);
  if (c.options().output == "json") {
    out << SweepJson(s).dump() << "\n";
    return kExitOk;
  }
  const bool reopened = before.status() != v1::SWEEP_RUNNING;
  out << s.id() << (reopened ? absl::StrCat(" was ", StatusName(before.status()), "; running again: ") : " extended: ")
      << Plan(s);
  const double limit = s.spec().budget().max_duration_seconds();
  if (o.seconds > 0 && limit > 0) out << "; time limit " << Duration(limit) << " from its start";
  out << "\n";
  return kExitOk;
}

int RunRetry(Connection& c, const RetryOptions& o, std::ostream& out, std::ostream& err) {
  const bool failed = o.failed || !o.cancelled;
  v1::Sweep before;
  if (grpc::Status st = FetchSweep(c, o.sweep, &before); !st.ok()) return ReportError(st, c.options(), err);
  v1::RetryTrialsRequest req;
  req.set_sweep(o.sweep);
  req.set_failed(failed);
  req.set_cancelled(o.cancelled);
  v1::RetryTrialsResponse resp;
  auto ctx = c.Call();
  if (grpc::Status st = c.sweeps().RetryTrials(ctx.get(), req, &resp); !st.ok()) {
    return ReportError(st, c.options(), err);
  }
  const v1::Sweep& s = resp.sweep();
  if (c.options().output == "json") {
    json j = SweepJson(s);
    j["requeued"] = resp.requeued();
    out << j.dump() << "\n";
    return kExitOk;
  }
  const std::string which = failed && o.cancelled ? "failed or cancelled" : failed ? "failed" : "cancelled";
  if (resp.requeued() + resp.resumed() == 0) {
    out << s.id() << " has no " << which << " trials; nothing to retry\n";
    return kExitOk;
  }
  out << s.id() << ": " << resp.requeued() << " " << which << " trial" << (resp.requeued() == 1 ? "" : "s")
      << " requeued as new attempts";
  if (resp.resumed() > 0) out << ", " << resp.resumed() << " never started";
  if (before.status() != v1::SWEEP_RUNNING) out << "; " << StatusName(before.status()) << " sweep running again";
  out << ": " << Plan(s) << "\n";
  return kExitOk;
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
  v1::Sweep gone;
  auto ctx = c.Call();
  if (grpc::Status st = c.sweeps().DeleteSweep(ctx.get(), req, &gone); !st.ok()) {
    return ReportError(st, c.options(), err);
  }
  if (c.options().output == "json") {
    json j = SweepJson(gone);
    j["deleted"] = true;
    out << j.dump() << "\n";
  } else {
    out << "deleted " << what << "\n";
  }
  return kExitOk;
}

}  // namespace hpsearch::client
