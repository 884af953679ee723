// The `when` links between a spec's parameters, in one place: the order in which a
// trial's parameters are chosen (each parent before the parameters that depend on
// it), and the refusal of links to unknown parameters and of cycles.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "search/spec.h"

namespace hpsearch::search {

// Indices into spec.parameters, parents first (otherwise in spec order).
// INVALID_ARGUMENT naming `parameters.NAME.when[.PARENT]` for a parent that is not a
// parameter of the spec, or for conditions that form a cycle.
absl::StatusOr<std::vector<int>> ConditionOrder(const Spec& spec);

}  // namespace hpsearch::search
