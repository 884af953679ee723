// Runs one leased command trial: starts the user's program (command_launch.h)
// through the guard, reads its output and its reports (report_line.h) as they come,
// answers each report on the reply pipe (`continue` or `stop`), and ends it.
//
// Ending: when the sink says stop (pruned, cancelled, the lease gone), when the
// pool's stop flag is set (a heartbeat heard the trial was cancelled), at
// trainer.timeout, and on the worker's shutdown, the whole process group gets
// SIGTERM, then SIGKILL after trainer.grace; whatever the program forked dies with
// it. A program that exits by itself: code 0 completes the trial with its final
// metrics (a `final` line, else its last epoch report), anything else fails it with
// the code or signal and the last lines of its stderr. Its stdout and stderr are kept
// bounded (the last CommandEnvironment::log_bytes of each), in memory and as
// stdout.log / stderr.log in the attempt's directory.
#pragma once

#include "common/protocol/lease.h"
#include "worker/runtime/command_launch.h"
#include "worker/runtime/lease_runner.h"

namespace hpsearch::runtime {

// REQUIRES: lease.command, options.commands.
void RunCommand(const Lease& lease, const RunnerOptions& options, TrialSink& sink);

}  // namespace hpsearch::runtime
