// The `when` links between a spec's parameters, in one place: the order in which a
// trial's parameters are chosen (each parent before the parameters that depend on
// it), and the refusal of links to unknown parameters and of cycles.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "search/spec.h"

namespace hpsearch::search {

// Indices into spec.parameters, parents first (otherwise in spec order).
// INVALID_ARGUMENT naming `parameters.NAME.when[.PARENT]` for a parent that is not a
// parameter of the spec, or for conditions that form a cycle.
absl::StatusOr<std::vector<int>> ConditionOrder(const Spec& spec);

// Most assignments of the `when` parents a spec may have: a grid keeps one block per
// assignment, so their number is bounded up front.
inline constexpr uint64_t kMaxConditionCombinations = 100'000;

// OK, or INVALID_ARGUMENT naming `parameters` when the parents' value counts multiply
// past kMaxConditionCombinations (counted without overflow).
absl::Status CheckConditionCombinations(const Spec& spec);

}  // namespace hpsearch::search
