// A command trial's command line as the CLI shows it (`plan`'s preview, `trial`):
// filled as the runner fills it (worker/runtime/command_launch.h), and written as a
// POSIX shell reads it back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/util/value.h"
#include "search/spec.h"

namespace hpsearch::client {

// Where the CLI knows the runner's values: the sweep's id ("{sweep}" before it
// exists), the attempt and its seed. The attempt's directory is the runner's, so
// {trial_dir} stays as written.
struct CommandRun {
  std::string sweep = "{sweep}";
  int64_t index = 0;
  int32_t attempt = 1;
  uint64_t seed = 0;
};

// The argv trial `run.index` runs with `params` (its searched and fixed values).
std::vector<std::string> CommandLine(const search::Spec& spec, const Params& params, const CommandRun& run);

// The argv as one line a shell reads back to the same words (ShellWord each).
std::string ShellLine(const std::vector<std::string>& argv);

}  // namespace hpsearch::client
