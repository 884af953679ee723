// Losses over a batch of network outputs O (n x K), averaged over the batch.
//
//   cross_entropy: softmax + negative log-likelihood, −Σ_k t_k log p_k
//   mse:           ½‖t − o‖²
//   hinge:         multiclass SVM, Σ_{j≠y} max(0, o_j − o_y + 1)
//
// Classification targets are class indices; the target distribution t is the one-hot
// vector, smoothed to (1−ε)·onehot + ε/K with label smoothing ε (cross_entropy, mse).
// Regression targets are real vectors (mse only).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "worker/nn/tensor.h"

namespace hpsearch::nn {

enum class LossKind { kCrossEntropy, kMse, kHinge };

absl::StatusOr<LossKind> ParseLoss(std::string_view name);
std::string_view LossName(LossKind kind);

struct LossResult {
  double loss = 0;      // mean over the batch
  int64_t correct = 0;  // classification: arg-max hits
};

// Classification. Writes dO = ∂loss/∂O into `grad` when it is non-null (may alias
// nothing else). `labels` has n entries in [0, K).
LossResult ClassificationLoss(LossKind kind, float label_smoothing, ConstMatrixMap out, std::span<const int32_t> labels,
                              MatrixMap* grad);

// Regression with mse: loss = mean over rows of ½‖t − o‖². `sq_error` (optional)
// receives Σ (t − o)² over the whole batch, for MSE and R² reporting.
LossResult RegressionLoss(ConstMatrixMap out, ConstMatrixMap targets, MatrixMap* grad, double* sq_error);

}  // namespace hpsearch::nn
