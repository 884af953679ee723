// How a worker starts a command trial (docs/spec.md, "Your own code"): the argv with
// every placeholder filled, the program's environment, and a fresh directory for
// the attempt. Pure bookkeeping: command_runner.h runs it.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "common/protocol/command.h"
#include "common/protocol/lease.h"
#include "worker/runtime/child_process.h"

namespace hpsearch::runtime {

// Where and how this process runs command trials (hpsearch-server or hpsearch-worker
// started with --commands DIR).
struct CommandEnvironment {
  std::string dir;                               // the programs' working directory (--commands DIR)
  std::string state_dir;                         // attempt directories: <state_dir>/<sweep>/<trial>/<attempt>
  std::string launcher;                          // the hpsearch-trial-exec binary (each slot's launcher)
  std::string python_dir;                        // holds the `hpsearch` report module; put first on PYTHONPATH
  std::size_t log_bytes = std::size_t{1} << 20;  // the last this many bytes of stdout and of stderr are kept
};

// How this process runs commands from `dir` (--commands DIR), with attempt
// directories under `state_dir` (made if missing): the launcher hpsearch-trial-exec is
// the one beside this executable, the report module the `python/` directory beside
// its `bin/` ($HPSEARCH_PYTHON_DIR overrides). FAILED_PRECONDITION naming the flag or
// the file when `dir` is no directory, `state_dir` cannot be made or the launcher is
// missing.
absl::StatusOr<CommandEnvironment> FindCommandEnvironment(const std::string& dir, const std::string& state_dir);

// Whether `command`'s program can be found as the runner will look for it (a path
// from the commands directory, a file of that directory, else a regular file on the
// PATH the program gets: the spec's env PATH, else this process's). INVALID_ARGUMENT
// naming trainer.command[0], with a did-you-mean among the directory's files, when it
// is nowhere; OK for a program named by a {placeholder} (known per trial only).
absl::Status CheckProgram(const CommandSpec& command, const CommandEnvironment& env);

// The attempt's directory: <state_dir>/<sweep>/<trial>/<attempt>.
std::string AttemptDir(const CommandEnvironment& env, const LeaseKey& key);

// The program to start for `lease` (REQUIRES: lease.command): its argv filled, its
// environment (this process's, less HPSEARCH_TOKEN, plus the spec's env and the
// HPSEARCH_* variables), its directory emptied and created. FAILED_PRECONDITION when
// the directory cannot be made.
absl::StatusOr<SpawnSpec> Launch(const Lease& lease, const CommandEnvironment& env);

}  // namespace hpsearch::runtime
