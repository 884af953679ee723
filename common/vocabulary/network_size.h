// How many trainable parameters an MLP has: the one formula the validator's size
// limit, the trainer's memory estimate and the network itself agree on.
#pragma once

#include <cstdint>
#include <vector>

namespace hpsearch::vocabulary {

// inputs → hidden... → outputs dense layers (weights and biases), plus γ and β per
// hidden unit with batch_norm.
int64_t ParameterCount(int64_t inputs, const std::vector<int64_t>& hidden, int64_t outputs, bool batch_norm = false);

}  // namespace hpsearch::vocabulary
