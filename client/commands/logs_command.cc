// `hpsearch logs`: what a command trial's program wrote, as the server keeps it
// (the last 1 MiB of each stream of each attempt; server/store/trial_logs.h).
#include <chrono>
#include <ostream>
#include <thread>

#include "CLI/CLI.hpp"
#include "client/commands/commands.h"
#include "client/option_checks.h"
#include "client/views.h"
#include "hpsearch/v1/sweep_service.grpc.pb.h"

namespace hpsearch::client {
namespace {

namespace v1 = hpsearch::v1;

constexpr int32_t kPageBytes = 1 << 20;  // the most one call returns
constexpr auto kFollowPoll = std::chrono::milliseconds(500);

bool Terminal(v1::TrialStatus s) {
  return s == v1::COMPLETED || s == v1::FAILED || s == v1::PRUNED || s == v1::CANCELLED;
}

// One stream of one attempt, read from `offset` on.
struct Reader {
  v1::OutputStream stream;
  std::ostream* out;
  uint64_t offset = 0;
  bool at_end = false;  // the last answer reached the end of a finished attempt
};

// Reads what `r` has not shown yet (every page of it) and writes it to its stream,
// with a marker where bytes were dropped. `attempt` is 0 (the latest) or pinned.
grpc::Status Drain(Connection& c, const LogsOptions& o, int32_t attempt, Reader& r, v1::TrialLog& last,
                   std::ostream& err) {
  for (;;) {
    v1::GetTrialLogRequest req;
    req.set_sweep(o.sweep);
    req.set_index(o.index);
    req.set_attempt(attempt);
    req.set_stream(r.stream);
    req.set_offset(r.offset);
    req.set_max_bytes(kPageBytes);
    grpc::Status st =
        WithRetries(c, err, [&](grpc::ClientContext* ctx) { return c.sweeps().GetTrialLog(ctx, req, &last); });
    if (!st.ok()) return st;
    if (last.offset() > r.offset) {
      *r.out << "[" << (last.offset() - r.offset) << " earlier bytes of output dropped]\n";
    }
    *r.out << last.data();
    r.offset = last.offset() + last.data().size();
    r.at_end = last.finished() && r.offset >= last.end();
    if (r.offset >= last.end()) break;
  }
  r.out->flush();
  return grpc::Status::OK;
}

// Says so when the attempt wrote nothing to the streams shown (an empty answer
// would read as a failure to fetch them): kExitOk.
int Silent(const std::vector<Reader>& readers, const LogsOptions& o, int32_t attempt, std::ostream& err) {
  for (const Reader& r : readers) {
    if (r.offset > 0) return kExitOk;
  }
  err << "[attempt " << attempt << " of trial " << o.index << " wrote nothing to "
      << (o.stream.empty() ? "stdout or stderr" : o.stream)
      << (o.stream == "stderr" ? "" : " (reports sent through hpsearch.report() are not output)") << "]\n";
  return kExitOk;
}

}  // namespace

int RunLogs(Connection& c, const LogsOptions& o, std::ostream& out, std::ostream& err) {
  std::vector<Reader> readers;
  if (o.stream != "stderr") readers.push_back({v1::OUTPUT_STREAM_STDOUT, &out});
  if (o.stream != "stdout") readers.push_back({v1::OUTPUT_STREAM_STDERR, &err});
  // Pinned to one attempt: the asked one, or the latest as the first answer names it.
  int32_t attempt = o.attempt;
  for (;;) {
    v1::TrialLog last;
    for (Reader& r : readers) {
      if (grpc::Status st = Drain(c, o, attempt, r, last, err); !st.ok()) return ReportError(st, c.options(), err);
      attempt = last.attempt();
    }
    if (attempt == 0 && !o.follow) {
      err << "[trial " << o.index << " has not started: it is " << StatusName(last.status()) << "]\n";
      return kExitOk;
    }
    if (!o.follow) return Silent(readers, o, attempt, err);
    bool all_done = true;
    for (const Reader& r : readers) all_done = all_done && r.at_end;
    if (all_done) {
      // The attempt is over. Following the latest attempt of a trial that runs
      // again (a lost worker, a retry): go on with the next one.
      if (o.attempt != 0 || Terminal(last.status())) return Silent(readers, o, attempt, err);
      err << "[attempt " << attempt << " ended; the trial is " << StatusName(last.status())
          << ": following its next attempt]\n";
      attempt = 0;
      for (Reader& r : readers) r = Reader{r.stream, r.out};
      // The next attempt may not have started yet: wait until the server names it.
      for (;;) {
        std::this_thread::sleep_for(kFollowPoll);
        v1::GetTrialLogRequest req;
        req.set_sweep(o.sweep);
        req.set_index(o.index);
        req.set_max_bytes(1);
        v1::TrialLog probe;
        grpc::Status st =
            WithRetries(c, err, [&](grpc::ClientContext* ctx) { return c.sweeps().GetTrialLog(ctx, req, &probe); });
        if (!st.ok()) return ReportError(st, c.options(), err);
        if (probe.attempt() != last.attempt()) {
          attempt = probe.attempt();
          break;
        }
        if (Terminal(probe.status())) return kExitOk;  // it ended without another attempt
      }
      continue;
    }
    std::this_thread::sleep_for(kFollowPoll);
  }
}

namespace {

// Prints the program's own output: -o does not apply, and --raw passes it unescaped.
class LogsCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "logs", "What a command trial's program wrote: stdout here, stderr to stderr",
                           "hpsearch logs my-cnn 3 -f");
    cmd->add_option("sweep", options_.sweep, "Sweep id or name")->required();
    cmd->add_option("index", options_.index, "Trial index (from 0)")->required()->check(TrialIndex());
    cmd->add_option("--attempt", options_.attempt, "This attempt (default: the latest)")->check(kPositive);
    cmd->add_option("--stream", options_.stream, "Only this stream: stdout or stderr (default: both)")
        ->check(CLI::IsMember({"stdout", "stderr"}));
    cmd->add_flag("-f,--follow", options_.follow, "Keep printing as the program writes, until the trial ends");
    cmd->add_flag("--raw", raw_, "The bytes exactly as written (control sequences are escaped otherwise)");
    return cmd;
  }
  int Run(Context& ctx) override {
    if (ctx.output_given) {
      ctx.err << "error: logs prints the program's own output; -o " << OutputFormatName(ctx.global.format)
              << " does not apply\n";
      return kExitUsage;
    }
    if (!ServerUsable(ctx)) return kExitUsage;
    Connection c(ctx.global);
    return RunLogs(c, options_, ctx.out, ctx.err);
  }
  bool Escaped() const override { return !raw_; }

 private:
  LogsOptions options_;
  bool raw_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeLogsCommand() { return std::make_unique<LogsCommand>(); }

}  // namespace hpsearch::client
