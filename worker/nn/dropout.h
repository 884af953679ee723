// Inverted dropout: in training each unit is kept with probability 1 − p and scaled
// by 1/(1 − p), so evaluation needs no rescaling (dropout is off at evaluation).
#pragma once

#include "common/util/rng.h"
#include "worker/nn/tensor.h"

namespace hpsearch::nn {

// Fills `mask` with 0 or 1/(1−p). REQUIRES: 0 <= p < 1.
void DropoutMask(float p, Rng& rng, MatrixMap mask);

// a ⊙= mask (forward) and da ⊙= mask (backward) are the same operation.
inline void ApplyMask(ConstMatrixMap mask, MatrixMap a) { a.array() *= mask.array(); }

}  // namespace hpsearch::nn
