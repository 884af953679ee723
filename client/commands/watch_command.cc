// watch: a live view of one sweep over the WatchSweep stream.
//
// On a terminal: a progress line redrawn in place, and a line each time the best
// trial improves. Otherwise: one line per trial state change. With -o json: every
// event as one JSON object per line. Ends when the sweep ends (exit 5 if it
// failed); Ctrl-C leaves the sweep running.
#include <unistd.h>

#include <chrono>
#include <iostream>

#include "absl/strings/str_format.h"
#include "client/commands/commands.h"
#include "client/format.h"
#include "client/views.h"

namespace hpsearch::client {

namespace v1 = hpsearch::v1;
using nlohmann::json;

namespace {

bool Terminal(v1::SweepStatus s) {
  return s == v1::SWEEP_COMPLETED || s == v1::SWEEP_FAILED || s == v1::SWEEP_CANCELLED;
}

std::string Bar(const v1::Sweep& s, int width) {
  const auto& c = s.counts();
  const int64_t total = std::max<int64_t>(1, s.total_trials());
  const int done = static_cast<int>((c.completed() + c.pruned() + c.cancelled()) * width / total);
  const int failed = static_cast<int>(c.failed() * width / total);
  const int running = static_cast<int>(c.running() * width / total);
  std::string bar;
  for (int i = 0; i < width; ++i) {
    bar += i < done ? "█" : i < done + failed ? "x" : i < done + failed + running ? "▒" : "·";
  }
  return bar;
}

json EventJson(const v1::SweepEvent& e) {
  json j = {{"time_ms", e.time_ms()}, {"sweep", SweepJson(e.sweep())}};
  if (e.has_trial()) {
    j["event"] = "trial";
    j["trial"] = TrialJson(e.trial());
  } else if (e.has_epoch()) {
    json m = json::object();
    for (const auto& [k, v] : e.epoch().metrics().metrics()) m[k] = v;
    j["event"] = "epoch";
    j["epoch"] = {{"trial", e.epoch().trial()}, {"epoch", e.epoch().metrics().epoch()}, {"metrics", m}};
  } else {
    j["event"] = Terminal(e.sweep().status()) ? "end" : "snapshot";
  }
  return j;
}

}  // namespace

int RunWatch(Connection& c, const std::string& sweep, std::ostream& out, std::ostream& err) {
  v1::WatchSweepRequest req;
  req.set_sweep(sweep);
  auto ctx = c.Stream();
  auto reader = c.sweeps().WatchSweep(ctx.get(), req);
  const bool json_out = c.options().output == "json";
  const bool tty = !json_out && isatty(STDOUT_FILENO) && &out == &std::cout;
  v1::SweepEvent e;
  v1::Sweep last;
  bool first = true;
  std::optional<double> shown_best;
  const auto started = std::chrono::steady_clock::now();
  int64_t done_at_start = 0;
  v1::SweepSpec spec;  // the snapshot carries it; later events do not
  while (reader->Read(&e)) {
    if (first) spec = e.sweep().spec();
    last = e.sweep();
    if (!last.has_spec()) *last.mutable_spec() = spec;
    const auto& k = last.counts();
    const int64_t done = k.completed() + k.failed() + k.pruned() + k.cancelled();
    if (first) done_at_start = done;
    if (json_out) {
      out << EventJson(e).dump() << "\n" << std::flush;
    } else if (tty) {
      if (last.has_best_objective() && (!shown_best || *shown_best != last.best_objective())) {
        shown_best = last.best_objective();
        out << "\r\033[K" << absl::StrFormat("new best: trial %d  %s %s\n", last.best_trial(), ObjectiveLabel(last),
                                             Cell(last.best_objective()));
      }
      const double minutes =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / 60.0;
      const double rate = minutes > 0 ? (done - done_at_start) / minutes : 0;
      std::string eta = "-";
      if (rate > 0 && done < last.total_trials()) eta = Duration((last.total_trials() - done) / rate * 60.0);
      out << "\r\033[K"
          << absl::StrFormat("%s %s %d/%d  %d running  %d failed  %.1f trials/min  ETA %s", last.id(), Bar(last, 24),
                             done, last.total_trials(), k.running(), k.failed(), rate, eta)
          << std::flush;
    } else if (first) {
      out << absl::StrFormat("%s %s: %s, %d/%d done, %d running\n", last.id(), last.name(),
                             StatusName(last.status()), done, last.total_trials(), k.running());
    } else if (e.has_trial()) {
      const auto& t = e.trial();
      std::string line = absl::StrFormat("trial %d %s", t.index(), StatusName(t.status()));
      if (t.has_objective()) line += " objective " + Cell(t.objective());
      if (!t.failure_reason().empty()) line += " (" + t.failure_reason() + ")";
      line += absl::StrFormat("  [%d/%d done", done, last.total_trials());
      if (last.has_best_objective()) line += absl::StrFormat(", best %s trial %d", Cell(last.best_objective()), last.best_trial());
      out << line << "]\n" << std::flush;
    }
    first = false;
    if (Terminal(last.status())) break;
  }
  grpc::Status st = reader->Finish();
  if (!st.ok() && !Terminal(last.status())) {
    if (tty) out << "\n";
    return ReportError(st, c.options(), err);
  }
  if (!json_out) {
    if (tty) out << "\n";
    out << absl::StrFormat("%s %s", last.id(), StatusName(last.status()));
    if (!last.status_reason().empty()) out << ": " << last.status_reason();
    if (last.has_best_objective()) {
      out << absl::StrFormat("; best %s %s (trial %d)", ObjectiveLabel(last), Cell(last.best_objective()),
                             last.best_trial());
    }
    out << "\n";
  }
  return last.status() == v1::SWEEP_FAILED ? kExitSweepFailed : kExitOk;
}

int RunHealth(Connection& c, std::ostream& out, std::ostream& err) {
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  auto ctx = c.Call();
  grpc::Status st = c.health().Check(ctx.get(), req, &resp);
  if (!st.ok()) return ReportError(st, c.options(), err);
  const std::string name = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
  if (c.options().output == "json") {
    out << json{{"server", c.options().server}, {"status", name}}.dump() << "\n";
  } else {
    out << name << "\n";
  }
  return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? kExitOk : kExitNotServing;
}

}  // namespace hpsearch::client
