// watch: a live view of one sweep over the WatchSweep stream.
//
// On a terminal: a progress line redrawn in place, and a line each time the best
// trial improves. Otherwise: one line per trial that ends (--starts: and starts). With -o json: every
// event as one JSON object per line. Ends when the sweep ends (exit 5 if it
// failed); Ctrl-C leaves the sweep running. Reconnects (for up to a minute) when the
// server restarts, and looks the sweep up itself when the stream stays quiet.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/commands/commands.h"
#include "client/format.h"
#include "client/safe_output.h"
#include "client/views.h"
#include "common/util/printable.h"

namespace hpsearch::client {

namespace v1 = hpsearch::v1;
using nlohmann::json;

namespace {

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

// `sweep`: the event's sweep with the spec of the snapshot (later events do not
// carry it), so every event names the real objective.
json EventJson(const v1::SweepEvent& e, const v1::Sweep& sweep) {
  json j = {{"time_ms", e.time_ms()}, {"sweep", SweepJson(sweep)}};
  if (e.has_trial()) {
    j["event"] = "trial";
    j["trial"] = TrialJson(e.trial());
  } else if (e.has_epoch()) {
    json m = json::object();
    for (const auto& [k, v] : e.epoch().metrics().metrics()) m[k] = v;
    j["event"] = "epoch";
    j["epoch"] = {{"trial", e.epoch().trial()}, {"epoch", e.epoch().metrics().epoch()}, {"metrics", m}};
  } else if (e.skipped() > 0) {
    j["event"] = "catch_up";
    j["skipped"] = e.skipped();
  } else {
    j["event"] = SweepFinished(e.sweep().status()) ? "end" : "snapshot";
  }
  return j;
}

}  // namespace

namespace {

// How long a stream may stay quiet before the sweep is looked up directly (a lost
// final event, or a server that vanished without closing the connection).
constexpr auto kQuiet = std::chrono::seconds(5);
// How long watch keeps reconnecting to a server that has gone away.
constexpr auto kReconnectFor = std::chrono::seconds(60);

// Polls GetSweep while the stream is quiet; when the sweep has ended, remembers its
// final record and cancels the stream.
class QuietWatcher {
 public:
  QuietWatcher(Connection& c, std::string sweep) : c_(c), sweep_(std::move(sweep)), thread_([this] { Loop(); }) {}
  ~QuietWatcher() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Attach(grpc::ClientContext* ctx) {
    std::lock_guard lock(mu_);
    ctx_ = ctx;
    heard_ = std::chrono::steady_clock::now();
  }
  void Heard() {
    std::lock_guard lock(mu_);
    heard_ = std::chrono::steady_clock::now();
  }
  std::optional<v1::Sweep> ended() {
    std::lock_guard lock(mu_);
    return ended_;
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!done_) {
      cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return done_; });
      if (done_ || ended_ || std::chrono::steady_clock::now() - heard_ < kQuiet) continue;
      heard_ = std::chrono::steady_clock::now();
      lock.unlock();
      v1::Sweep s;
      const bool ok = FetchSweep(c_, sweep_, &s).ok();
      lock.lock();
      if (ok && SweepFinished(s.status())) {
        // Ended; but the stream may only be behind (a reader resumed after a pause
        // has events waiting). Give it a moment to deliver the end itself.
        const auto asked = std::chrono::steady_clock::now();
        cv_.wait_for(lock, std::chrono::seconds(2), [&] { return done_; });
        if (!done_ && heard_ < asked) {
          ended_ = s;
          if (ctx_) ctx_->TryCancel();
        }
      }
    }
  }

  Connection& c_;
  std::string sweep_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  grpc::ClientContext* ctx_ = nullptr;
  std::chrono::steady_clock::time_point heard_ = std::chrono::steady_clock::now();
  std::optional<v1::Sweep> ended_;
  std::thread thread_;
};

}  // namespace

namespace {

// What Ctrl-C prints: the progress line cleared, and that the sweep runs on. Built
// before the handler is installed; the handler only write()s it and exits (130, as
// shells report SIGINT).
char interrupt_message[512];
std::size_t interrupt_length = 0;

void OnInterrupt(int) {
  [[maybe_unused]] ssize_t n = write(STDERR_FILENO, interrupt_message, interrupt_length);
  _exit(130);
}

void LeaveRunningOnInterrupt(const std::string& sweep, bool tty) {
  const std::string name = Printable(sweep);
  const std::string text = absl::StrCat(tty ? "\r\033[K" : "\n", "watch stopped; sweep ", name,
                                        " keeps running (hpsearch stop ", name, " to stop it)\n");
  interrupt_length = std::min(text.size(), sizeof interrupt_message);
  std::memcpy(interrupt_message, text.data(), interrupt_length);
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
}

}  // namespace

int RunWatch(Connection& c, const WatchOptions& o, std::ostream& out, std::ostream& err) {
  const std::string& sweep = o.sweep;
  const bool starts = o.starts;
  const bool json_out = c.options().format == OutputFormat::kJson;
  const bool tty = !json_out && isatty(STDOUT_FILENO) && &out == &std::cout;
  if (&out == &std::cout) LeaveRunningOnInterrupt(sweep, tty);
  v1::SweepEvent e;
  v1::Sweep last;
  bool first = true;
  std::optional<double> shown_best;
  // Text output: trials finished as of the last line printed. A snapshot after a
  // reconnect, or the final state the quiet fallback fetched, may be ahead of it:
  // then the user is told what this watch did not see.
  int64_t shown_done = -1;
  auto done_of = [](const v1::Sweep& s) {
    const auto& k = s.counts();
    return k.completed() + k.failed() + k.pruned() + k.cancelled();
  };
  // `why`: what this watch missed the trials' events for.
  auto note_gap = [&](const v1::Sweep& s, const char* why) {
    if (json_out || tty || shown_done < 0 || done_of(s) <= shown_done) return;
    out << absl::StrFormat("(%d trials finished %s; their events were not seen)  [%d/%d done]\n",
                           done_of(s) - shown_done, why, done_of(s), s.total_trials())
        << std::flush;
    shown_done = done_of(s);
  };
  v1::SweepSpec spec;  // the snapshot carries it; later events do not
  QuietWatcher quiet(c, sweep);
  grpc::Status st;
  auto lost_since = std::chrono::steady_clock::now();
  for (int connection = 0;; ++connection) {
    v1::WatchSweepRequest req;
    req.set_sweep(sweep);
    auto ctx = c.Stream();
    quiet.Attach(ctx.get());
    auto reader = c.sweeps().WatchSweep(ctx.get(), req);
    bool heard = false;
    while (reader->Read(&e)) {
      quiet.Heard();
      const bool heard_before = heard;
      if (!heard && connection > 0) {
        if (tty) WriteControl(out, "\r\033[K");
        err << "reconnected to " << c.options().server << "\n";
      }
      heard = true;
      if (e.sweep().has_spec()) spec = e.sweep().spec();
      last = e.sweep();
      if (!last.has_spec()) *last.mutable_spec() = spec;
      const auto& k = last.counts();
      const int64_t done = k.completed() + k.failed() + k.pruned() + k.cancelled();
      if (!heard_before && connection > 0) note_gap(last, "while the connection was down");
      if (first && WaitsForAWorker(last)) {
        std::vector<v1::Worker> workers;
        if (FetchWorkers(c, &workers).ok() && workers.empty()) {
          err << "warning: no worker is connected, so nothing runs yet (the server has no embedded workers and no "
                 "hpsearch-worker called in within a lease); watching anyway\n";
        }
      }
      if (json_out) {
        out << EventJson(e, last).dump() << "\n" << std::flush;
      } else if (tty) {
        if (last.has_best_objective() && (!shown_best || *shown_best != last.best_objective())) {
          shown_best = last.best_objective();
          WriteControl(out, "\r\033[K");
          out << absl::StrFormat("new best: trial %d  %s %s\n", last.best_trial(), ObjectiveLabel(last),
                                 ObjectiveText(last.best_objective()));
        }
        // The sweep's own rate since it was created, so joining a running sweep shows
        // the right rate and ETA at once (its running time: not the time it sat
        // finished before an extend or retry).
        const double minutes = static_cast<double>(NowMs() - last.created_ms() - last.idle_ms()) / 60'000.0;
        const double rate = minutes > 0 && last.created_ms() > 0 ? static_cast<double>(done) / minutes : 0;
        std::string eta = "-";
        if (rate > 0 && done < last.total_trials()) eta = Duration((last.total_trials() - done) / rate * 60.0);
        WriteControl(out, "\r\033[K");
        out << absl::StrFormat("%s %s %d/%d  %d running  %d failed  %.1f trials/min  ETA %s", last.id(), Bar(last, 24),
                               done, last.total_trials(), k.running(), k.failed(), rate, eta)
            << std::flush;
      } else if (first) {
        out << absl::StrFormat("%s %s: %s, %d/%d done, %d running\n", last.id(), Printable(last.name()),
                               StatusName(last.status()), done, last.total_trials(), k.running());
        shown_done = done;
      } else if (e.has_trial() && (starts || e.trial().status() != v1::RUNNING)) {
        const auto& t = e.trial();
        std::string line = absl::StrFormat("trial %d %s", t.index(), StatusName(t.status()));
        if (t.has_objective()) line += " objective " + ObjectiveText(t.objective());
        if (!t.failure_reason().empty()) line += " (" + Printable(t.failure_reason()) + ")";
        line += absl::StrFormat("  [%d/%d done", done, last.total_trials());
        if (last.has_best_objective()) {
          line += absl::StrFormat(", best %s trial %d", ObjectiveText(last.best_objective()), last.best_trial());
        }
        out << line << "]\n" << std::flush;
        shown_done = done;
      } else if (e.skipped() > 0) {
        out << absl::StrFormat("(%d events skipped: this watch fell behind)  [%d/%d done]\n", e.skipped(), done,
                               last.total_trials())
            << std::flush;
        shown_done = done;
      }
      first = false;
      if (SweepFinished(last.status())) break;
    }
    if (SweepFinished(last.status())) {
      ctx->TryCancel();
      reader->Finish();
      break;
    }
    st = reader->Finish();
    if (auto ended = quiet.ended()) {  // the stream went quiet and the sweep had ended
      last = *ended;
      note_gap(last, "while the stream was silent");
      break;
    }
    if (st.ok() || !Transient(st)) break;
    // The server restarted or the connection dropped: reconnect and resume from a
    // fresh snapshot.
    const auto now = std::chrono::steady_clock::now();
    if (heard || connection == 0) lost_since = now;
    if (now - lost_since > kReconnectFor) break;
    if (heard || connection == 0) {
      if (tty) WriteControl(out, "\r\033[K");
      err << "lost the connection to " << c.options().server << " (" << Printable(st.error_message())
          << "); reconnecting\n";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (!SweepFinished(last.status())) {
    if (tty) out << "\n";
    if (st.ok()) st = grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream ended before the sweep did");
    return ReportError(st, c.options(), err);
  }
  if (!json_out) {
    if (tty) out << "\n";
    out << absl::StrFormat("%s %s", last.id(), StatusName(last.status()));
    if (!last.status_reason().empty()) out << ": " << Printable(last.status_reason());
    if (last.counts().not_started() > 0)
      out << absl::StrFormat(" (%d trials never started)", last.counts().not_started());
    if (last.has_best_objective()) {
      out << absl::StrFormat("; best %s %s (trial %d)", ObjectiveLabel(last), ObjectiveText(last.best_objective()),
                             last.best_trial());
    }
    out << "\n";
  }
  return last.status() == v1::SWEEP_FAILED ? kExitSweepFailed : kExitOk;
}

namespace {

class WatchCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "watch", "Live progress until the sweep ends (Ctrl-C leaves it running)",
                           "hpsearch watch quickstart");
    cmd->add_option("sweep", o_.sweep, "Sweep id or name")->required();
    cmd->add_flag("--starts", o_.starts, "Piped: a line when a trial starts too (default: when one ends)");
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override { return RunWatch(c, o_, ctx.out, ctx.err); }

 private:
  WatchOptions o_;
};

}  // namespace

std::unique_ptr<Command> MakeWatchCommand() { return std::make_unique<WatchCommand>(); }

}  // namespace hpsearch::client
