// A conv layer computed by oneDNN (Debian's libdnnl): its JIT convolutions (AVX2,
// AVX-512) work on a blocked layout, channels in groups of 8 or 16, where they run
// about 1.5× faster than im2col + SGEMM (conv2d.h) on the benchmark net's second
// layer (docs/performance.md has the comparison). Each call reorders between the
// trainer's layout (one image a row, C·H·W: oneDNN's nchw) and theirs; the weights
// ((C·k·k) × F, conv2d.h) are read and written in place through strides.
//
// The same contract as Conv2dForward/Conv2dBackward: the images split into the same
// Conv2dBlocks halves, the second half's dW and db summed apart and added, so the
// numbers do not depend on the threads. Each block has its own primitives (one set
// per number of images it has seen, made on first use) and buffers; oneDNN runs on
// the calling thread only.
//
// Used for layers with at least kDnnlMinChannels input channels: on one channel (the
// first layer of a grayscale image) oneDNN's weight gradient measured 3× slower than
// im2col's. Thread-safety: none beyond the two blocks of one call.
#pragma once

#include <array>
#include <map>
#include <memory>

#include "worker/nn/conv2d.h"
#include "worker/nn/image_shape.h"
#include "worker/nn/step_threads.h"
#include "worker/nn/tensor.h"

namespace hpsearch::nn {

inline constexpr int kDnnlMinChannels = 8;

class DnnlConv2d {
 public:
  // Null when oneDNN is turned off (HPSEARCH_CONV_KERNEL=im2col), the layer has fewer
  // than kDnnlMinChannels input channels, or oneDNN has no kernel for it.
  static std::unique_ptr<DnnlConv2d> Make(const ImageShape& in, const Conv2dConfig& c);
  // Whether oneDNN is built in and not turned off.
  static bool Enabled();
  ~DnnlConv2d();

  // Floats a layer's oneDNN buffers may take for steps of up to `max_rows` images (its
  // input and output in the blocked layout, channels padded to 16, for the forward
  // and backward passes, and the second block's dW and db); 0 for a layer Make
  // leaves to im2col by its channels. An upper bound: the kernel picks the layouts.
  static int64_t EstimateFloats(const ImageShape& in, const Conv2dConfig& c, int64_t max_rows);

  // z = conv(x), as Conv2dForward.
  void Forward(ConstMatrixMap x, ConstMatrixMap w, ConstRowVectorMap b, MatrixMap z, const StepThreads& threads);
  // As Conv2dBackward. REQUIRES: the last Forward was of this x.
  void Backward(ConstMatrixMap w, ConstMatrixMap dz, MatrixMap dw, RowVectorMap db, MatrixMap* dx,
                const StepThreads& threads);

 private:
  struct Batch;
  struct Block;
  DnnlConv2d(const ImageShape& in, const Conv2dConfig& c);
  Batch& BatchOf(int block, int images);

  ImageShape in_, out_;
  Conv2dConfig c_;
  std::array<std::unique_ptr<Block>, 2> blocks_;
  Matrix dw1_;     // the second block's dW, (C·k·k) × F
  RowVector db1_;  // and db
};

}  // namespace hpsearch::nn
