// Inverted dropout: in training each unit is kept with probability 1 − p and scaled
// by 1/(1 − p), so evaluation needs no rescaling (dropout is off at evaluation).
#pragma once

#include "common/util/rng.h"
#include "worker/nn/tensor.h"

namespace hpsearch::nn {

// Fills `mask` with 0 or 1/(1−p). REQUIRES: 0 <= p < 1.
void DropoutMask(float p, Rng& rng, MatrixMap mask);

// Spatial dropout: each row's `channels` blocks of `plane` units (a channel-major
// feature map, image_shape.h) are kept or dropped whole, 1/(1−p) or 0 across the
// block. REQUIRES: 0 <= p < 1, mask.cols() == channels · plane.
void SpatialDropoutMask(float p, Rng& rng, int channels, int64_t plane, MatrixMap mask);

// a ⊙= mask (forward) and da ⊙= mask (backward) are the same operation.
inline void ApplyMask(ConstMatrixMap mask, MatrixMap a) { a.array() *= mask.array(); }

}  // namespace hpsearch::nn
