// A 2-D convolution, defined by the lecture's four hyperparameters: the number of
// filters, their size (k × k), the stride and the zero padding.
//
//   in:  n × (C·H·W), one image a row (image_shape.h)
//   W:   (C·k·k) × F — a dense layer's fan_in × fan_out: fan-in k²·C, so every init
//        and regularizer applies as to a dense layer. Row (c·k + i)·k + j holds the
//        weight of input channel c at kernel row i, column j.
//   b:   1 × F, or empty without a bias
//   out: n × (F·H'·W'), H' = ⌊(H + 2·padding − k) / stride⌋ + 1 (W' likewise)
//
// Each image is unfolded (im2col) into a (C·k·k) × (H'·W') workspace and multiplied
// once: Z = Wᵀ·cols + b. The backward pass uses the same unfolding: dW += cols·dZᵀ,
// dcols = W·dZ, folded back (col2im) into dX. No allocation: the caller passes the
// workspace (Conv2dWorkspace floats).
//
// Given a second thread (StepThreads), the images are split into blocks that run at
// once, each with its own part of the workspace. A step's blocks do not depend on
// the threads (Conv2dBlocks: two halves from kMinParallelBatch images on): the
// second block sums its dW and db apart and adds them to the first's at the end, on
// one thread as on two, so the numbers are the same bits either way.
#pragma once

#include <cstdint>
#include <span>
#include <utility>

#include "absl/status/statusor.h"
#include "worker/nn/image_shape.h"
#include "worker/nn/step_threads.h"
#include "worker/nn/tensor.h"

namespace hpsearch::nn {

struct Conv2dConfig {
  int filters = 1;
  int kernel = 3;
  int stride = 1;
  int padding = 0;  // zeros on each side; SamePadding(kernel) keeps H × W at stride 1
  bool bias = true;
};

// The padding that keeps an image's size at stride 1 (PyTorch's padding="same",
// for odd kernels).
inline int SamePadding(int kernel) { return (kernel - 1) / 2; }

// The output shape; INVALID_ARGUMENT (saying why) for a non-positive setting, or a
// kernel larger than the padded input (the map would shrink below 1×1).
absl::StatusOr<ImageShape> Conv2dOutput(const ImageShape& in, const Conv2dConfig& c);

// Learnable parameters: F·(C·k·k) weights, plus F biases.
int64_t Conv2dParameters(const ImageShape& in, const Conv2dConfig& c);

// The image blocks of a step of n images: 1, or 2 from kMinParallelBatch images on.
int Conv2dBlocks(int64_t n);
// Images [begin, end) of block k of Conv2dBlocks(n): all, or the first and second half.
std::pair<int64_t, int64_t> Conv2dImages(int k, int64_t n);

// Floats of the workspace for steps of up to `max_rows` images: per image block an
// unfolding and its gradient ((C·k·k)·(H'·W') each) and room for the block's dW and
// db. REQUIRES: Conv2dOutput ok.
int64_t Conv2dWorkspace(const ImageShape& in, const Conv2dConfig& c, int64_t max_rows);

// z = conv(x) (overwritten). `work`: Conv2dWorkspace(in, c, x.rows()) floats or more.
void Conv2dForward(const ImageShape& in, const Conv2dConfig& c, ConstMatrixMap x, ConstMatrixMap w, ConstRowVectorMap b,
                   MatrixMap z, std::span<float> work, const StepThreads& threads = {});

// dW and db (overwritten; db ignored without a bias) from dZ; when `dx` is non-null,
// dX as well (overwritten). `work` as for Conv2dForward.
void Conv2dBackward(const ImageShape& in, const Conv2dConfig& c, ConstMatrixMap x, ConstMatrixMap w, ConstMatrixMap dz,
                    MatrixMap dw, RowVectorMap db, MatrixMap* dx, std::span<float> work,
                    const StepThreads& threads = {});

}  // namespace hpsearch::nn
