// A configuration a user asks for by value (ask and tell's enqueue, Optuna's
// enqueue_trial): checked against the sweep's search space, the parameters left out
// drawn as a random search would.
#pragma once

#include "absl/status/statusor.h"
#include "common/util/rng.h"
#include "common/util/value.h"
#include "search/search_space.h"

namespace hpsearch::search {

// `given` holds searched parameters only. INVALID_ARGUMENT naming `params.<name>`
// for a name the space does not search (a fixed setting says so), a value outside
// its domain (not one of the values, outside [min, max], not an integer, off the
// step), or a parameter its `when` leaves inactive. Active parameters not given are
// drawn from `rng`; the spec's fixed settings are merged in. A range's value comes
// back typed as the range (an integer range: an int).
absl::StatusOr<Params> EnqueuedConfiguration(const SearchSpace& space, const Params& given, Rng& rng);

}  // namespace hpsearch::search
