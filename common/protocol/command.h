// A command trial: the user's own program run as a trial (docs/spec.md, "Your own
// code"). The spec's `trainer.command` is an argv template; every `{name}` in it is
// filled per trial from the trial's parameters (searched and fixed) or from what
// the runner knows of the trial ({sweep}, {trial}, {attempt}, {seed}, {trial_dir}).
// `{{` and `}}` stand for literal braces. Never a shell string: each element is one
// argument as written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/util/value.h"

namespace hpsearch {

struct CommandSpec {
  std::vector<std::string> argv;           // argv[0] is the program, looked up in PATH and the commands dir
  std::map<std::string, std::string> env;  // added to the runner's environment
  double timeout_seconds = 0;              // 0: none
  double grace_seconds = 10;               // SIGTERM, then SIGKILL this long after
  int32_t slots = 1;                       // cores a trial takes from its worker's pool

  friend bool operator==(const CommandSpec&, const CommandSpec&) = default;
};

// Placeholders the runner fills itself, whatever the parameters.
inline constexpr const char* kRunnerPlaceholders[] = {"sweep", "trial", "attempt", "seed", "trial_dir"};

// The names of the placeholders in one argv element, in order; INVALID_ARGUMENT for
// an unclosed `{`, a lone `}`, or a name that is not [A-Za-z_][A-Za-z0-9_]*.
absl::StatusOr<std::vector<std::string>> Placeholders(const std::string& element);

// How a value is written into an argument: a string as it is, a number in its
// shortest round-trip form (0.001, 64), true/false, a list as compact JSON ([256,128]).
std::string ArgumentText(const Value& v);

// What each placeholder stands for in one attempt of a trial: its parameters and
// fixed settings (ArgumentText), and the runner's own — {sweep}, {trial}, {attempt},
// {seed}, {trial_dir}.
std::map<std::string, std::string> PlaceholderValues(const Params& params, const std::string& sweep, int64_t trial,
                                                     int32_t attempt, uint64_t seed, const std::string& trial_dir);

// `element` with each placeholder replaced by its value in `values` (a name absent
// there, e.g. an inactive conditional parameter, becomes ""). REQUIRES: Placeholders
// accepted it.
std::string Fill(const std::string& element, const std::map<std::string, std::string>& values);

}  // namespace hpsearch
