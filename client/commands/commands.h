// The commands of the hpsearch CLI but `plan` (plan_command.h): for each, what it
// takes (its options), what it does (RunX: prints data on `out`, one-line errors on
// `err`, returns the exit code of client/connection.h; tested directly) and the
// Command that parses its options and runs it (MakeXCommand; command_table.h lists
// them in order).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/commands/command.h"
#include "client/connection.h"

namespace hpsearch::client {

struct SubmitOptions {
  std::string spec_path;
  std::string name;  // overrides the spec's name
  bool watch = false;
  std::vector<std::string> labels;  // NAME=VALUE, added to the spec's labels
};
int RunSubmit(Connection& c, const SubmitOptions& o, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeSubmitCommand();

struct ListOptions {
  int32_t limit = 0;                // 0 = all (matches)
  std::string status;               // "" = any
  std::vector<std::string> labels;  // NAME=VALUE, all must match
};
int RunList(Connection& c, const ListOptions& o, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeListCommand();

int RunStatus(Connection& c, const std::string& sweep, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeStatusCommand();

// graceful: stop (running trials finish); otherwise cancel.
int RunCancel(Connection& c, const std::string& sweep, bool graceful, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeStopCommand();  // graceful
std::unique_ptr<Command> MakeCancelCommand();

struct ExtendOptions {
  std::string sweep;
  int64_t trials = 0;  // more trials than it plans now
  double seconds = 0;  // more time (--duration)
};
// More budget for a running or finished sweep (a finished one runs again).
int RunExtend(Connection& c, const ExtendOptions& o, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeExtendCommand();

struct RetryOptions {
  std::string sweep;
  bool failed = false;  // neither: failed
  bool cancelled = false;
  bool new_seed = false;  // each with a new seed (a failure the seed caused would repeat)
};
// Failed and/or cancelled trials run again as new attempts.
int RunRetry(Connection& c, const RetryOptions& o, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeRetryCommand();

struct DeleteOptions {
  std::string sweep;
  bool yes = false;  // no confirmation asked
};
// Deletes a finished sweep after asking on `err` and reading the answer from `in`.
int RunDelete(Connection& c, const DeleteOptions& o, std::istream& in, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeDeleteCommand();

struct TrialsOptions {
  std::string sweep;
  std::string status;              // "" = all
  std::string sort = "index";      // index, objective, a metric or a parameter
  std::optional<bool> descending;  // none: a metric's natural direction (best first), else ascending
  bool show_fixed = false;         // columns for the fixed settings too
  int64_t limit = 50;              // 0 = all
  std::vector<std::string> where;  // conditions every trial shown meets ("lr<=0.01")
};
int RunTrials(Connection& c, const TrialsOptions& o, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeTrialsCommand();

struct TrialOptions {
  std::string sweep;
  int64_t index = 0;
  bool as_trial_file = false;  // print it as a trial file for hpsearch-worker train
};
int RunTrial(Connection& c, const TrialOptions& o, std::ostream& out, std::ostream& err);
// The trial as a trial file (YAML) for hpsearch-worker train.
int RunTrialAsFile(Connection& c, const TrialOptions& o, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeTrialCommand();

struct BestOptions {
  std::string sweep;
  int32_t k = 0;            // 0: the server's default (5; several objectives: the Pareto front)
  bool show_fixed = false;  // columns for the fixed settings too
};
int RunBest(Connection& c, const BestOptions& o, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeBestCommand();

// `importance SWEEP` (client/commands/importance_command.cc).
std::unique_ptr<Command> MakeImportanceCommand();
// `spec SWEEP` (client/commands/spec_command.cc).
std::unique_ptr<Command> MakeSpecCommand();

struct ExportOptions {
  std::string sweep;
  std::vector<std::string> where;  // as for trials
  std::string file;                // "" = stdout
};
// Every trial (meeting `where`); to `file` when set (else stdout). Format: json or csv.
int RunExport(Connection& c, const ExportOptions& o, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeExportCommand();

struct LogsOptions {
  std::string sweep;
  int64_t index = 0;
  int32_t attempt = 0;  // 0: the latest
  std::string stream;   // "stdout", "stderr" or "" (both)
  bool follow = false;  // until the attempt (or, unpinned, the trial) ends
};
// What a command trial's program wrote: its stdout to `out`, its stderr to `err`
// (the last 1 MiB of each is kept; a marker says how much was dropped before).
int RunLogs(Connection& c, const LogsOptions& o, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeLogsCommand();

struct WatchOptions {
  std::string sweep;
  bool starts = false;  // piped output also gets a line when a trial starts (else only when one ends)
};
int RunWatch(Connection& c, const WatchOptions& o, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeWatchCommand();

struct CompareOptions {
  std::string sweep;
  std::vector<int64_t> indices;  // two or more
};
// Trials side by side: parameters and metrics (differences marked), objective curves.
int RunCompare(Connection& c, const CompareOptions& o, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeCompareCommand();

// What the completion script completes: each command with its options, the global
// options, and the commands whose first argument is a sweep.
struct CompletionWords {
  std::vector<std::pair<std::string, std::vector<std::string>>> commands;
  std::vector<std::string> global;
  std::vector<std::string> sweep_commands;
};
int RunCompletion(const std::string& shell, const CompletionWords& words, std::ostream& out, std::ostream& err);
// Walks the commands registered on the parser (ctx.app).
std::unique_ptr<Command> MakeCompletionCommand();

// SERVING (exit 0) or NOT_SERVING (exit 4), as grpc_health_probe.
int RunHealth(Connection& c, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeHealthCommand();
// The CLI's version, then the server's (or that it cannot be reached: still exit 0).
int RunVersion(Connection& c, const std::string& client_version, std::ostream& out, std::ostream& err);
// Without a usable --server: the CLI's version alone.
std::unique_ptr<Command> MakeVersionCommand();
// The embedded slots and remote workers heard from within a lease, with their trials.
int RunWorkers(Connection& c, std::ostream& out, std::ostream& err);
std::unique_ptr<Command> MakeWorkersCommand();
grpc::Status FetchWorkers(Connection& c, std::vector<hpsearch::v1::Worker>* out);
// One sweep by id or name, with its spec (GetSweep).
grpc::Status FetchSweep(Connection& c, const std::string& sweep, hpsearch::v1::Sweep* out);

}  // namespace hpsearch::client
