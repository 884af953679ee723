// The server-side commands of the hpsearch CLI. Each prints data on `out`, one-line
// errors on `err`, and returns the exit code (client/connection.h).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "client/connection.h"

namespace hpsearch::client {

struct SubmitOptions {
  std::string spec_path;
  std::string name;  // overrides the spec's name
  bool watch = false;
  std::vector<std::string> labels;  // NAME=VALUE, added to the spec's labels
};
int RunSubmit(Connection& c, const SubmitOptions& o, std::ostream& out, std::ostream& err);

struct ListOptions {
  int32_t limit = 0;                // 0 = all (matches)
  std::string status;               // "" = any
  std::vector<std::string> labels;  // NAME=VALUE, all must match
};
int RunList(Connection& c, const ListOptions& o, std::ostream& out, std::ostream& err);
int RunStatus(Connection& c, const std::string& sweep, std::ostream& out, std::ostream& err);
// graceful: stop (running trials finish); otherwise cancel.
int RunCancel(Connection& c, const std::string& sweep, bool graceful, std::ostream& out, std::ostream& err);

struct ExtendOptions {
  std::string sweep;
  int64_t trials = 0;  // more trials than it plans now
  double seconds = 0;  // more time (--duration)
};
// More budget for a running or finished sweep (a finished one runs again).
int RunExtend(Connection& c, const ExtendOptions& o, std::ostream& out, std::ostream& err);
struct RetryOptions {
  std::string sweep;
  bool failed = false;  // neither: failed
  bool cancelled = false;
};
// Failed and/or cancelled trials run again as new attempts.
int RunRetry(Connection& c, const RetryOptions& o, std::ostream& out, std::ostream& err);
struct DeleteOptions {
  std::string sweep;
  bool yes = false;  // no confirmation asked
};
// Deletes a finished sweep after asking on `err` and reading the answer from `in`.
int RunDelete(Connection& c, const DeleteOptions& o, std::istream& in, std::ostream& out, std::ostream& err);

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
int RunTrial(Connection& c, const std::string& sweep, int64_t index, std::ostream& out, std::ostream& err);
int RunBest(Connection& c, const std::string& sweep, int32_t k, bool show_fixed, std::ostream& out, std::ostream& err);
// Every trial; to `file` when set (else stdout). Format: json or csv.
int RunExport(Connection& c, const std::string& sweep, const std::vector<std::string>& where, const std::string& file,
              std::ostream& out, std::ostream& err);

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

// `starts`: piped output also gets a line when a trial starts (else only when one ends).
int RunWatch(Connection& c, const std::string& sweep, std::ostream& out, std::ostream& err, bool starts = false);
int RunHealth(Connection& c, std::ostream& out, std::ostream& err);
// Trials side by side: parameters and metrics (differences marked), objective curves.
int RunCompare(Connection& c, const std::string& sweep, const std::vector<int64_t>& indices, std::ostream& out,
               std::ostream& err);
// What the completion script completes: each command with its options, the global
// options, and the commands whose first argument is a sweep.
struct CompletionWords {
  std::vector<std::pair<std::string, std::vector<std::string>>> commands;
  std::vector<std::string> global;
  std::vector<std::string> sweep_commands;
};
int RunCompletion(const std::string& shell, const CompletionWords& words, std::ostream& out, std::ostream& err);
// The CLI's version, then the server's (or that it cannot be reached: still exit 0).
int RunVersion(Connection& c, const std::string& client_version, std::ostream& out, std::ostream& err);
// The embedded slots and remote workers heard from within a lease, with their trials.
int RunWorkers(Connection& c, std::ostream& out, std::ostream& err);
grpc::Status FetchWorkers(Connection& c, std::vector<hpsearch::v1::Worker>* out);
// One sweep by id or name, with its spec (GetSweep).
grpc::Status FetchSweep(Connection& c, const std::string& sweep, hpsearch::v1::Sweep* out);

}  // namespace hpsearch::client
