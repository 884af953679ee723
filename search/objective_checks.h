// The checks of a spec's `objective:` (one objective or a list of them), for
// ValidateSpec: every metric one the trials report, goals, targets, and what a
// multi-objective sweep cannot do (prune, end at a target).
#pragma once

#include "absl/status/status.h"
#include "search/spec.h"

namespace hpsearch::search {

// Most objectives a sweep may have: the hypervolume of a front is exponential in them.
inline constexpr std::size_t kMaxObjectives = 8;

absl::Status CheckObjectives(const Spec& spec);

}  // namespace hpsearch::search
