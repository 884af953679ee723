#include "worker/nn/batch_norm.h"

#include <cmath>

namespace hpsearch::nn {

// Column statistics are accumulated row by row: row-major rows are contiguous, so
// each step is one vectorised add, and no temporary is ever allocated.

void BatchNormForwardTrain(const BatchNormConfig& cfg, ConstMatrixMap z, ConstRowVectorMap gamma,
                           ConstRowVectorMap beta, RowVectorMap running_mean, RowVectorMap running_var, MatrixMap xhat,
                           RowVectorMap inv_std, MatrixMap y) {
  const Eigen::Index rows = z.rows();
  const float n = static_cast<float>(rows);
  // inv_std holds the mean, then the variance, then 1/√(var + eps).
  inv_std.setZero();
  for (Eigen::Index i = 0; i < rows; ++i) inv_std += z.row(i);
  inv_std /= n;
  running_mean = cfg.momentum * running_mean + (1.0f - cfg.momentum) * inv_std;
  for (Eigen::Index i = 0; i < rows; ++i) xhat.row(i) = z.row(i) - inv_std;
  inv_std.setZero();
  for (Eigen::Index i = 0; i < rows; ++i) inv_std.array() += xhat.row(i).array().square();
  inv_std /= n;  // biased variance, used for normalising
  const float unbias = rows > 1 ? n / (n - 1.0f) : 1.0f;
  running_var = cfg.momentum * running_var + ((1.0f - cfg.momentum) * unbias) * inv_std;
  inv_std = (inv_std.array() + cfg.eps).rsqrt().matrix();
  for (Eigen::Index i = 0; i < rows; ++i) {
    xhat.row(i).array() *= inv_std.array();
    y.row(i).array() = xhat.row(i).array() * gamma.array() + beta.array();
  }
}

void BatchNormForwardEval(const BatchNormConfig& cfg, ConstMatrixMap z, ConstRowVectorMap gamma, ConstRowVectorMap beta,
                          ConstRowVectorMap running_mean, ConstRowVectorMap running_var, MatrixMap y) {
  // y = z·s + (β − μ·s) with s = γ/√(var + eps).
  for (Eigen::Index i = 0; i < z.rows(); ++i)
    y.row(i).array() =
        (z.row(i).array() - running_mean.array()) * gamma.array() * (running_var.array() + cfg.eps).rsqrt() +
        beta.array();
}

void BatchNormBackward(ConstMatrixMap xhat, ConstRowVectorMap inv_std, ConstRowVectorMap gamma, ConstMatrixMap dy,
                       MatrixMap dz, RowVectorMap dgamma, RowVectorMap dbeta) {
  const Eigen::Index rows = dy.rows();
  const float n = static_cast<float>(rows);
  dbeta.setZero();
  dgamma.setZero();
  for (Eigen::Index i = 0; i < rows; ++i) {
    dbeta += dy.row(i);
    dgamma.array() += dy.row(i).array() * xhat.row(i).array();
  }
  // dz = γ·inv_std/n · (n·dy − Σdy − xhat·Σ(dy·xhat))
  for (Eigen::Index i = 0; i < rows; ++i)
    dz.row(i).array() = (dy.row(i).array() * n - dbeta.array() - xhat.row(i).array() * dgamma.array()) * gamma.array() *
                        inv_std.array() / n;
}

}  // namespace hpsearch::nn
