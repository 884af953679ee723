// Max and average pooling over each channel's k × k windows (stride s, no padding):
// they shrink the feature map and learn nothing — "32×32×3, 2×2 max pool, stride 2:
// output 16×16×3, 0 parameters".
//
//   in:  n × (C·H·W), one image a row (image_shape.h)
//   out: n × (C·H'·W'), H' = ⌊(H − k) / s⌋ + 1 (W' likewise)
//
// Max pooling passes the gradient to the window's maximum; of equal maxima, to the
// first in the window's row-major order (as PyTorch does). It remembers where each
// maximum was (`argmax`: n × (C·H'·W') indices into the input row) for the backward
// pass. Average pooling spreads it evenly over the window.
#pragma once

#include <cstdint>
#include <span>

#include "absl/status/statusor.h"
#include "worker/nn/image_shape.h"
#include "worker/nn/step_threads.h"
#include "worker/nn/tensor.h"

namespace hpsearch::nn {

enum class PoolKind { kMax, kAverage };

struct Pool2dConfig {
  PoolKind kind = PoolKind::kMax;
  int size = 2;
  int stride = 0;  // 0: the window's size (windows side by side)

  int step() const { return stride > 0 ? stride : size; }
};

// The output shape; INVALID_ARGUMENT (saying why) for a window larger than the input
// (the map would shrink below 1×1) or a non-positive setting.
absl::StatusOr<ImageShape> Pool2dOutput(const ImageShape& in, const Pool2dConfig& c);

// z = pool(x) (overwritten); for max pooling `argmax` (n·C·H'·W' entries) records
// where each maximum came from (unused for average pooling). Given threads, the
// images are split between them (StepThreads::ForRows).
void Pool2dForward(const ImageShape& in, const Pool2dConfig& c, ConstMatrixMap x, MatrixMap z,
                   std::span<int32_t> argmax, const StepThreads& threads = {});

// dX (overwritten) from dZ, with the `argmax` of the forward pass for max pooling.
void Pool2dBackward(const ImageShape& in, const Pool2dConfig& c, ConstMatrixMap dz, std::span<const int32_t> argmax,
                    MatrixMap dx, const StepThreads& threads = {});

}  // namespace hpsearch::nn
