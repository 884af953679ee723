// How many trainable parameters a network has: the one formula the validator's size
// limit, the trainer's memory estimate and the network itself agree on.
#pragma once

#include <cstdint>
#include <vector>

#include "common/util/value.h"
#include "common/vocabulary/conv_stack.h"

namespace hpsearch::vocabulary {

// inputs → hidden... → outputs dense layers (weights and biases), plus γ and β per
// hidden unit with batch_norm.
int64_t ParameterCount(int64_t inputs, const std::vector<int64_t>& hidden, int64_t outputs, bool batch_norm = false);

// The convolutional layers `conv` on images of shape `image`, flattened into the
// dense layers. REQUIRES: ConvShapes(image, conv) ok; `conv` not empty.
int64_t ParameterCount(const ConvShape& image, const std::vector<ConvLayer>& conv, const std::vector<int64_t>& hidden,
                       int64_t outputs, bool batch_norm = false);

// The hidden widths `settings` ask for: the dense layers of `layers` when set, else
// hidden_layers × hidden_units when either is set (defaults 1 and 128), else
// `hidden`, else [128]. REQUIRES: values passed
// CheckParam.
std::vector<int64_t> HiddenWidths(const Params& settings);

}  // namespace hpsearch::vocabulary
