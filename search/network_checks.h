// The network checks of ValidateSpec (spec_validator.h), for the built-in trainer:
// the largest network any trial can build against the server's parameter limit, and
// conv stacks against the dataset's images.
#pragma once

#include "absl/status/status.h"
#include "search/spec.h"
#include "search/spec_validator.h"

namespace hpsearch::search {

// The largest network any trial of the spec can build, in parameters, is at most
// limits.max_network_params (the error names the spec's field that reaches past it).
absl::Status CheckNetworkSize(const Spec& spec, const SpecLimits& limits);

// Conv layers (conv_blocks, or conv in a `layers` list) need image data that holds the
// deepest stack the spec can ask for; spatial_dropout needs some trial with conv layers.
absl::Status CheckConvStack(const Spec& spec);

}  // namespace hpsearch::search
