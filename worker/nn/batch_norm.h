// Batch normalisation after a linear layer, before its activation (Ioffe & Szegedy).
// Training: y = γ·(z − μ_B)/√(σ²_B + eps) + β with batch statistics, and the running
// averages move toward them (running = m·running + (1 − m)·batch). Evaluation: the
// running averages replace the batch statistics.
#pragma once

#include "worker/nn/tensor.h"

namespace hpsearch::nn {

struct BatchNormConfig {
  float eps = 1e-5f;
  float momentum = 0.9f;  // weight of the old running value
};

// Training forward. `xhat` (n x d) keeps the normalised input and `inv_std` (1 x d)
// the batch 1/√(σ²+eps) for the backward pass. Updates the running statistics.
// `y` may alias `z`.
void BatchNormForwardTrain(const BatchNormConfig& cfg, ConstMatrixMap z, ConstRowVectorMap gamma,
                           ConstRowVectorMap beta, RowVectorMap running_mean, RowVectorMap running_var, MatrixMap xhat,
                           RowVectorMap inv_std, MatrixMap y);

// Evaluation forward with the running statistics. `y` may alias `z`.
void BatchNormForwardEval(const BatchNormConfig& cfg, ConstMatrixMap z, ConstRowVectorMap gamma, ConstRowVectorMap beta,
                          ConstRowVectorMap running_mean, ConstRowVectorMap running_var, MatrixMap y);

// Given dY, writes dZ (may alias dY), dγ and dβ (overwritten).
void BatchNormBackward(ConstMatrixMap xhat, ConstRowVectorMap inv_std, ConstRowVectorMap gamma, ConstMatrixMap dy,
                       MatrixMap dz, RowVectorMap dgamma, RowVectorMap dbeta);

}  // namespace hpsearch::nn
