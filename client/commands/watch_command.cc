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
  QuietWatcher(Connection& c, std::string sweep)
      : connection_(c), sweep_(std::move(sweep)), thread_([this] { Loop(); }) {}
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
      const bool ok = FetchSweep(connection_, sweep_, &s).ok();
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

  Connection& connection_;
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

namespace {

// What a watch prints, in one of three forms over the same state: every event as a
// JSON line (-o json); on a terminal a progress line redrawn in place and a line per
// new best; otherwise a line per trial that ends (and, with --starts, starts).
class WatchPrinter {
 public:
  WatchPrinter(Connection& c, bool starts, std::ostream& out, std::ostream& err)
      : connection_(c),
        starts_(starts),
        json_(c.options().format == OutputFormat::kJson),
        tty_(!json_ && isatty(STDOUT_FILENO) && &out == &std::cout),
        out_(out),
        err_(err) {}

  bool tty() const { return tty_; }
  const v1::Sweep& last() const { return last_; }

  // One event of the stream; `after_reconnect`: the first one heard on a new connection.
  void OnEvent(const v1::SweepEvent& e, bool after_reconnect) {
    if (after_reconnect) {
      ClearLine();
      err_ << "reconnected to " << connection_.options().server << "\n";
    }
    if (e.sweep().has_spec()) spec_ = e.sweep().spec();
    last_ = e.sweep();
    if (!last_.has_spec()) *last_.mutable_spec() = spec_;
    if (after_reconnect) NoteGap(last_, "while the connection was down");
    if (first_ && WaitsForAWorker(last_)) WarnWithoutWorkers();
    if (json_) {
      out_ << EventJson(e, last_).dump() << "\n" << std::flush;
    } else if (tty_) {
      DrawProgress();
    } else {
      PrintLine(e);
    }
    first_ = false;
  }

  // The final record the quiet fallback fetched, when the stream missed the end.
  void Ended(const v1::Sweep& s) {
    last_ = s;
    NoteGap(last_, "while the stream was silent");
  }

  void LostConnection(const grpc::Status& st) {
    ClearLine();
    err_ << "lost the connection to " << connection_.options().server << " (" << Printable(st.error_message())
         << "); reconnecting\n";
  }

  // The closing line (text forms) and the exit code.
  int Finish(grpc::Status st) {
    if (!SweepFinished(last_.status())) {
      if (tty_) out_ << "\n";
      if (st.ok()) st = grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream ended before the sweep did");
      return ReportError(st, connection_.options(), err_);
    }
    if (!json_) {
      if (tty_) out_ << "\n";
      out_ << absl::StrFormat("%s %s", last_.id(), StatusName(last_.status()));
      if (!last_.status_reason().empty()) out_ << ": " << OneLine(last_.status_reason());
      if (last_.counts().not_started() > 0) {
        out_ << absl::StrFormat(" (%d trials never started)", last_.counts().not_started());
      }
      if (last_.spec().other_objectives_size() > 0) {
        // Several objectives: no one best trial but a front of them, which the stream's
        // events do not carry (the sweep as fetched now does).
        v1::Sweep full;
        if (FetchSweep(connection_, last_.id(), &full).ok() && full.has_pareto()) {
          out_ << absl::StrFormat("; Pareto front of %s: %d of %d trials", ObjectiveLabel(full),
                                  full.pareto().front_size(), full.pareto().ranked_trials());
        }
        out_ << "; hpsearch best " << last_.id() << " lists it";
      } else if (last_.has_best_objective()) {
        out_ << absl::StrFormat("; best %s %s (trial %d)", ObjectiveLabel(last_), ObjectiveText(last_.best_objective()),
                                last_.best_trial());
      }
      out_ << "\n";
    }
    return last_.status() == v1::SWEEP_FAILED ? kExitSweepFailed : kExitOk;
  }

 private:
  static int64_t Done(const v1::Sweep& s) {
    const auto& k = s.counts();
    return k.completed() + k.failed() + k.pruned() + k.cancelled();
  }

  void ClearLine() {
    if (tty_) WriteControl(out_, "\r\033[K");
  }

  // Text output tells the user about trials that ended while it saw no events (a
  // snapshot after a reconnect, or the final state the quiet fallback fetched, may be
  // ahead of the last line printed). `why`: what the events were missed for.
  void NoteGap(const v1::Sweep& s, const char* why) {
    if (json_ || tty_ || shown_done_ < 0 || Done(s) <= shown_done_) return;
    out_ << absl::StrFormat("(%d trials finished %s; their events were not seen)  [%d/%d done]\n",
                            Done(s) - shown_done_, why, Done(s), s.total_trials())
         << std::flush;
    shown_done_ = Done(s);
  }

  void WarnWithoutWorkers() {
    std::vector<v1::Worker> workers;
    if (FetchWorkers(connection_, &workers).ok() && workers.empty()) {
      err_ << "warning: no worker is connected, so nothing runs yet (the server has no embedded workers and no "
              "hpsearch-worker called in within a lease); watching anyway\n";
    }
  }

  void DrawProgress() {
    if (last_.has_best_objective() && (!shown_best_ || *shown_best_ != last_.best_objective())) {
      shown_best_ = last_.best_objective();
      ClearLine();
      out_ << absl::StrFormat("new best: trial %d  %s %s\n", last_.best_trial(), ObjectiveLabel(last_),
                              ObjectiveText(last_.best_objective()));
    }
    // The sweep's own rate since it was created, so joining a running sweep shows
    // the right rate and ETA at once (its running time: not the time it sat
    // finished before an extend or retry).
    const int64_t done = Done(last_);
    const double minutes = static_cast<double>(NowMs() - last_.created_ms() - last_.idle_ms()) / 60'000.0;
    const double rate = minutes > 0 && last_.created_ms() > 0 ? static_cast<double>(done) / minutes : 0;
    const int64_t will_run = TrialsThatWillRun(last_);  // a stopping sweep's: what it started
    std::string eta = "-";
    if (rate > 0 && done < will_run) eta = Duration((will_run - done) / rate * 60.0);
    ClearLine();
    out_ << absl::StrFormat("%s %s %d/%d  %d running  %d failed  %.1f trials/min  ETA %s", last_.id(), Bar(last_, 24),
                            done, last_.total_trials(), last_.counts().running(), last_.counts().failed(), rate, eta)
         << std::flush;
  }

  void PrintLine(const v1::SweepEvent& e) {
    const int64_t done = Done(last_);
    if (first_) {
      // Flushed as every line here: a watch logged to a file shows it at once, not
      // when a trial first ends (or never, if the watch is stopped before that).
      out_ << absl::StrFormat("%s %s: %s, %d/%d done, %d running\n", last_.id(), Printable(last_.name()),
                              StatusName(last_.status()), done, last_.total_trials(), last_.counts().running())
           << std::flush;
    } else if (e.has_trial() && (starts_ || e.trial().status() != v1::RUNNING)) {
      const auto& t = e.trial();
      std::string line = absl::StrFormat("trial %d %s", t.index(), StatusName(t.status()));
      if (t.has_objective()) line += " objective " + ObjectiveText(t.objective());
      if (!t.failure_reason().empty()) line += " (" + OneLine(t.failure_reason()) + ")";
      line += absl::StrFormat("  [%d/%d done", done, last_.total_trials());
      if (last_.has_best_objective()) {
        line += absl::StrFormat(", best %s trial %d", ObjectiveText(last_.best_objective()), last_.best_trial());
      }
      out_ << line << "]\n" << std::flush;
    } else if (e.skipped() > 0) {
      out_ << absl::StrFormat("(%d events skipped: this watch fell behind)  [%d/%d done]\n", e.skipped(), done,
                              last_.total_trials())
           << std::flush;
    } else {
      return;
    }
    shown_done_ = done;
  }

  Connection& connection_;
  const bool starts_;
  const bool json_;
  const bool tty_;
  std::ostream& out_;
  std::ostream& err_;
  bool first_ = true;
  v1::Sweep last_;
  v1::SweepSpec spec_;  // the snapshot carries it; later events do not
  std::optional<double> shown_best_;
  int64_t shown_done_ = -1;  // text output: trials finished as of the last line printed
};

}  // namespace

// Follows the stream until the sweep ends, reconnecting (for up to kReconnectFor)
// when the server restarts or the connection drops, each time from a fresh snapshot;
// a server unreachable from the start is an error at once.
int RunWatch(Connection& c, const WatchOptions& o, std::ostream& out, std::ostream& err) {
  WatchPrinter printer(c, o.starts, out, err);
  if (&out == &std::cout) LeaveRunningOnInterrupt(o.sweep, printer.tty());
  QuietWatcher quiet(c, o.sweep);
  grpc::Status st;
  auto lost_since = std::chrono::steady_clock::now();
  for (int connection = 0;; ++connection) {
    v1::WatchSweepRequest req;
    req.set_sweep(o.sweep);
    auto ctx = c.Stream();
    quiet.Attach(ctx.get());
    auto reader = c.sweeps().WatchSweep(ctx.get(), req);
    bool heard = false;
    v1::SweepEvent e;
    while (reader->Read(&e)) {
      quiet.Heard();
      printer.OnEvent(e, !heard && connection > 0);
      heard = true;
      if (SweepFinished(printer.last().status())) break;
    }
    if (SweepFinished(printer.last().status())) {
      ctx->TryCancel();
      reader->Finish();
      break;
    }
    st = reader->Finish();
    if (auto ended = quiet.ended()) {  // the stream went quiet and the sweep had ended
      printer.Ended(*ended);
      break;
    }
    if (st.ok() || !Transient(st)) break;
    // Never connected: unreachable, said at once as by every other command (the
    // reconnecting is for a server that restarts while it is watched).
    if (connection == 0 && !heard) break;
    const auto now = std::chrono::steady_clock::now();
    if (heard || connection == 0) lost_since = now;
    if (now - lost_since > kReconnectFor) break;
    if (heard || connection == 0) printer.LostConnection(st);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return printer.Finish(st);
}

namespace {

class WatchCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "watch", "Live progress until the sweep ends (Ctrl-C leaves it running)",
                           "hpsearch watch quickstart");
    cmd->add_option("sweep", options_.sweep, "Sweep id or name")->required();
    cmd->add_flag("--starts", options_.starts, "Piped: a line when a trial starts too (default: when one ends)");
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override { return RunWatch(c, options_, ctx.out, ctx.err); }

 private:
  WatchOptions options_;
};

}  // namespace

std::unique_ptr<Command> MakeWatchCommand() { return std::make_unique<WatchCommand>(); }

}  // namespace hpsearch::client
