// Batch normalisation of a convolutional layer's output (spatial batch norm, PyTorch's
// BatchNorm2d): one mean and variance per channel, over the batch and every position
// of the channel's map (N·H·W values), and one γ and β per channel. Otherwise as
// batch_norm.h: training uses the batch statistics and moves the running averages
// toward them (running = m·running + (1 − m)·batch, the variance unbiased);
// evaluation uses the running averages.
//
//   z, y, xhat: n × (C·H·W), one image a row, channel-major (image_shape.h)
//   γ, β, running statistics, inv_std: 1 × C
#pragma once

#include "worker/nn/batch_norm.h"
#include "worker/nn/tensor.h"

namespace hpsearch::nn {

// Training forward over `channels` channels of z.cols() / channels positions each.
// `xhat` keeps the normalised input and `inv_std` the batch 1/√(σ²+eps) for the
// backward pass. `y` may alias `z`.
void SpatialBatchNormForwardTrain(const BatchNormConfig& cfg, int channels, ConstMatrixMap z, ConstRowVectorMap gamma,
                                  ConstRowVectorMap beta, RowVectorMap running_mean, RowVectorMap running_var,
                                  MatrixMap xhat, RowVectorMap inv_std, MatrixMap y);

// Evaluation forward with the running statistics. `y` may alias `z`.
void SpatialBatchNormForwardEval(const BatchNormConfig& cfg, int channels, ConstMatrixMap z, ConstRowVectorMap gamma,
                                 ConstRowVectorMap beta, ConstRowVectorMap running_mean, ConstRowVectorMap running_var,
                                 MatrixMap y);

// Given dY, writes dZ (may alias dY), dγ and dβ (overwritten).
void SpatialBatchNormBackward(int channels, ConstMatrixMap xhat, ConstRowVectorMap inv_std, ConstRowVectorMap gamma,
                              ConstMatrixMap dy, MatrixMap dz, RowVectorMap dgamma, RowVectorMap dbeta);

}  // namespace hpsearch::nn
