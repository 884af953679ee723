// The checks a spec with `trainer.command` gets instead of the built-in trainer's
// vocabulary (docs/spec.md, "Your own code"): parameter and fixed names are free
// ([A-Za-z_][A-Za-z0-9_]*, at most 64 characters); every `{name}` in the command
// names a parameter, a fixed setting or one the runner fills ({sweep}, {trial},
// {attempt}, {seed}, {trial_dir}); the objective names the metric the program
// reports; there is no `dataset` (the program loads its own data); pruning needs
// the trials' `epochs`. A `trainer: external` spec (ask and tell) gets the same
// checks but the command's. Errors are INVALID_ARGUMENT naming the field path.
#pragma once

#include "absl/status/status.h"
#include "search/spec.h"

namespace hpsearch::search {

// Most epochs a command trial may report when its spec sets no `epochs` (a step
// counter as well as an epoch counter).
inline constexpr int64_t kMaxCommandEpochs = 10'000'000;

absl::Status CheckCommandTrainer(const Spec& spec);

// Whether `name` may name a command's parameter, fixed setting or placeholder.
bool CommandName(const std::string& name);

}  // namespace hpsearch::search
