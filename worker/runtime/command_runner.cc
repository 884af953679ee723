#include "worker/runtime/command_runner.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/protocol/command.h"
#include "common/protocol/report_checks.h"
#include "common/util/printable.h"
#include "worker/runtime/child_process.h"
#include "worker/runtime/launcher.h"
#include "worker/runtime/output_tail.h"
#include "worker/runtime/report_line.h"

namespace hpsearch::runtime {

namespace {

using Clock = std::chrono::steady_clock;

std::string Duration(double seconds) { return absl::StrFormat("%gs", seconds); }

// One attempt of a command trial, from start to end.
class CommandRun {
 public:
  CommandRun(const Lease& lease, const RunnerOptions& options, TrialSink& sink, ChildProcess child)
      : lease_(lease),
        options_(options),
        sink_(sink),
        child_(std::move(child)),
        out_(options.commands->log_bytes),
        err_(options.commands->log_bytes),
        reports_(64 * 1024) {
    const double timeout = lease.command->timeout_seconds;
    if (timeout > 0) deadline_ = start_ + std::chrono::milliseconds(static_cast<int64_t>(timeout * 1000));
  }

  void Run() {
    for (;;) {
      if (!exited_ && child_.Exited()) {
        exited_ = true;
        exited_at_ = Clock::now();
      }
      if (exited_ && open_ == 0) break;
      // Its output pipes still open after the program ended: something it started
      // holds them; that is killed with the group, after 2 s.
      if (exited_ && Clock::now() - *exited_at_ > std::chrono::seconds(2)) break;
      Poll();
      Watch();
      if (Clock::now() - shipped_at_ >= kShipEvery) Ship();
    }
    const Ending ending = child_.Finish();
    Drain();
    Ship();
    Report(ending);
  }

 private:
  // Reads what is there (or waits up to 100 ms for something, the program's end
  // included).
  void Poll() {
    pollfd fds[4] = {{child_.stdout_fd(), POLLIN, 0},
                     {child_.stderr_fd(), POLLIN, 0},
                     {child_.report_fd(), POLLIN, 0},
                     {child_.exit_fd(), POLLIN, 0}};
    for (int i = 0; i < 3; ++i) {
      if (closed_[i]) fds[i].fd = -1;
    }
    if (exited_) fds[3].fd = -1;  // readable for ever once it ended
    if (poll(fds, 4, 100) <= 0) return;
    for (int i = 0; i < 3; ++i) {
      if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) ReadFrom(i);
    }
  }

  void ReadFrom(int i) {
    const int fd = i == 0 ? child_.stdout_fd() : i == 1 ? child_.stderr_fd() : child_.report_fd();
    char buf[65536];
    for (int rounds = 0; rounds < 16; ++rounds) {
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        Take(i, std::string_view(buf, static_cast<std::size_t>(n)));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        closed_[i] = true;
        --open_;
      }
      return;
    }
  }

  void Drain() {
    for (int i = 0; i < 3; ++i) {
      if (!closed_[i]) ReadFrom(i);
    }
  }

  void Take(int stream, std::string_view bytes) {
    if (stream == 0) {
      out_.Append(bytes, [&](std::string_view line) {
        if (auto report = StdoutReport(line)) Handle(*report, false);
      });
    } else if (stream == 1) {
      err_.Append(bytes);
    } else {
      reports_.Append(bytes, [&](std::string_view line) { Handle(line, true); });
    }
  }

  // A report line (from the pipe: answered; from stdout: not).
  void Handle(std::string_view line, bool answer) {
    if (stopping_) {
      if (answer) Reply("stop\n");
      return;
    }
    auto report = ParseReportLine(line);
    if (!report.ok()) {
      bad_report_ =
          absl::StrCat("a report line could not be read: ", report.status().message(), " (", Quoted(line), ")");
      if (answer) Reply("stop\n");
      return Stop("");
    }
    if (report->kind == ReportLine::Kind::kFinal) {
      final_ = report->metrics;
      if (answer) Reply("continue\n");
      return;
    }
    if (auto epochs = lease_.params.find("epochs");
        epochs != lease_.params.end() && epochs->second.is_number() && report->epoch > epochs->second.number()) {
      // The server would refuse it too; said here in the spec's terms.
      bad_report_ = absl::StrCat("the program reported epoch ", report->epoch, ", past the trial's ",
                                 ArgumentText(epochs->second), " (its `epochs` setting): report epochs 1..",
                                 ArgumentText(epochs->second), " or raise `epochs`");
      if (answer) Reply("stop\n");
      return Stop("");
    }
    EpochMetrics m;
    m.epoch = static_cast<int32_t>(std::min<int64_t>(report->epoch, INT32_MAX));
    m.metrics = report->metrics;
    if (auto lr = m.metrics.find("lr"); lr != m.metrics.end()) m.lr = lr->second;
    const auto now = Clock::now();
    m.seconds = std::chrono::duration<double>(now - last_report_).count();
    last_report_ = now;
    last_ = m.metrics;
    if (!sink_.OnEpoch(m, ActivationStats{})) {
      stopped_by_sink_ = true;
      if (answer) Reply("stop\n");
      return Stop("");
    }
    if (answer) Reply("continue\n");
  }

  void Reply(const char* text) {
    if (child_.reply_fd() < 0) return;
    // A program that does not read its answers must not block the runner: the pipe's
    // buffer holds thousands of them, and past that they are dropped.
    if (write(child_.reply_fd(), text, std::strlen(text)) < 0 && errno != EAGAIN) child_.CloseReply();
  }

  // Ends the program: SIGTERM to its group now, SIGKILL after the grace period.
  void Stop(const std::string& why) {
    if (stopping_) return;
    stopping_ = true;
    stop_reason_ = why;
    child_.Signal(SIGTERM);
    kill_at_ = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(lease_.command->grace_seconds * 1000));
  }

  // What ends a trial from outside, and the grace period running out.
  void Watch() {
    const auto now = Clock::now();
    if (!stopping_) {
      if (options_.abort && options_.abort->load()) {
        aborted_ = true;
        Stop("");
      } else if (options_.stop && options_.stop->load()) {
        stopped_by_sink_ = true;
        Stop("");
      } else if (deadline_ && now >= *deadline_) {
        Stop(absl::StrCat("timeout: the program ran longer than trainer.timeout (",
                          Duration(lease_.command->timeout_seconds), ")"));
      }
    } else if (kill_at_ && now >= *kill_at_) {
      killed_ = !exited_ && !child_.Exited();  // SIGTERM may have ended it since the last look
      child_.Signal(SIGKILL);
      kill_at_.reset();
    }
  }

  // What the program wrote since the last shipment, to the sink (the server keeps it):
  // at most the newest 64 KiB of each stream at a time, so a flood costs a few
  // hundred KiB a second on the wire, and the log says where bytes were skipped.
  void Ship() {
    shipped_at_ = Clock::now();
    std::vector<OutputChunk> chunks;
    const auto add = [&](const OutputTail& tail, OutputChunk::Stream stream, uint64_t& shipped) {
      if (tail.total_bytes() == shipped) return;
      auto [start, bytes] = tail.Since(shipped, kMaxOutputChunkBytes);
      chunks.push_back(OutputChunk{stream, start, std::move(bytes)});
      shipped = tail.total_bytes();
    };
    add(out_, OutputChunk::Stream::kStdout, shipped_out_);
    add(err_, OutputChunk::Stream::kStderr, shipped_err_);
    if (!chunks.empty()) sink_.OnOutput(chunks);
  }

  void Report(const Ending& ending) {
    if (stopped_by_sink_) return;  // pruned, cancelled or the lease gone: nothing more to say
    if (aborted_) return sink_.OnFail("the worker is shutting down", false);
    if (!stop_reason_.empty()) {
      std::string why = stop_reason_;
      if (killed_) {
        absl::StrAppend(&why, "; still running ", Duration(lease_.command->grace_seconds),
                        " (trainer.grace) after SIGTERM, it was killed with SIGKILL");
      }
      return sink_.OnFail(WithStderrTail(why), true);
    }
    if (!bad_report_.empty()) return sink_.OnFail(bad_report_, true);
    // Not the trial's fault: it runs again as a new attempt.
    if (ending.lost) return sink_.OnFail(absl::StrCat("the program ", ending.Describe()), false);
    if (ending.signaled || ending.code != 0) {
      return sink_.OnFail(WithStderrTail(absl::StrCat("the program ", ending.Describe())), true);
    }
    TrialResult done;
    done.metrics = final_ ? *final_ : last_;
    if (done.metrics.empty()) {
      return sink_.OnFail(
          "the program exited with code 0 but reported no metrics (print `hpsearch: epoch=N name=value ...` or "
          "call hpsearch.report(); docs/spec.md, \"Reporting from your program\")",
          true);
    }
    if (auto it = done.metrics.find("parameter_count"); it != done.metrics.end() && it->second >= 0) {
      done.parameter_count = static_cast<int64_t>(it->second);
    }
    sink_.OnComplete(done);
  }

  // `why` and the last lines the program wrote to stderr, if any (its own account of
  // what went wrong), over lines of their own.
  std::string WithStderrTail(std::string why) const {
    const std::string tail = err_.LastLines(10, 1500);
    if (!tail.empty()) absl::StrAppend(&why, "; the end of its stderr:\n", PrintableLines(tail));
    return why;
  }

  const Lease& lease_;
  const RunnerOptions& options_;
  TrialSink& sink_;
  ChildProcess child_;
  OutputTail out_, err_, reports_;
  bool closed_[3] = {false, false, false};
  int open_ = 3;
  const Clock::time_point start_ = Clock::now();
  Clock::time_point last_report_ = start_;
  std::optional<Clock::time_point> deadline_, kill_at_, exited_at_;
  bool exited_ = false, stopping_ = false, stopped_by_sink_ = false, aborted_ = false, killed_ = false;
  std::string stop_reason_, bad_report_;
  std::map<std::string, double> last_;
  std::optional<std::map<std::string, double>> final_;
  static constexpr auto kShipEvery = std::chrono::milliseconds(250);
  Clock::time_point shipped_at_ = start_;
  uint64_t shipped_out_ = 0, shipped_err_ = 0;
};

}  // namespace

void RunCommand(const Lease& lease, const RunnerOptions& options, TrialSink& sink) {
  auto spec = Launch(lease, *options.commands);
  if (!spec.ok()) return sink.OnFail(std::string(spec.status().message()), false);
  // The slot's launcher, kept between its trials; a runner without one (a test) gets
  // one for this trial.
  std::optional<Launcher> own;
  Launcher& launcher = options.launcher != nullptr ? *options.launcher : own.emplace(options.commands->launcher);
  auto child = ChildProcess::Spawn(*spec, launcher);
  if (!child.ok()) {
    // A program that cannot be run is the trial's fault; a launcher that cannot be
    // started is this worker's (the trial goes back to run elsewhere).
    const bool program = child.status().code() == absl::StatusCode::kInvalidArgument;
    return sink.OnFail(std::string(child.status().message()), program);
  }
  CommandRun(lease, options, sink, *std::move(child)).Run();
}

}  // namespace hpsearch::runtime
