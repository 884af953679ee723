#include "worker/nn/spatial_batch_norm.h"

#include <cmath>

namespace hpsearch::nn {

// Channel c of row i is the contiguous segment [c·plane, (c + 1)·plane). Sums are
// accumulated in double, segment by segment, in the same order every run.

void SpatialBatchNormForwardTrain(const BatchNormConfig& cfg, int channels, ConstMatrixMap z, ConstRowVectorMap gamma,
                                  ConstRowVectorMap beta, RowVectorMap running_mean, RowVectorMap running_var,
                                  MatrixMap xhat, RowVectorMap inv_std, MatrixMap y) {
  const Eigen::Index rows = z.rows(), plane = z.cols() / channels;
  const double m = static_cast<double>(rows * plane);
  for (int c = 0; c < channels; ++c) {
    const Eigen::Index at = c * plane;
    double sum = 0;
    for (Eigen::Index i = 0; i < rows; ++i) sum += z.row(i).segment(at, plane).cast<double>().sum();
    const float mean = static_cast<float>(sum / m);
    double sq = 0;
    for (Eigen::Index i = 0; i < rows; ++i) {
      xhat.row(i).segment(at, plane).array() = z.row(i).segment(at, plane).array() - mean;
      sq += xhat.row(i).segment(at, plane).cast<double>().squaredNorm();
    }
    const double var = sq / m;  // biased, used for normalising
    const double unbias = m > 1 ? m / (m - 1) : 1.0;
    running_mean[c] = cfg.momentum * running_mean[c] + (1.0f - cfg.momentum) * mean;
    running_var[c] = cfg.momentum * running_var[c] + (1.0f - cfg.momentum) * static_cast<float>(var * unbias);
    inv_std[c] = static_cast<float>(1.0 / std::sqrt(var + cfg.eps));
    for (Eigen::Index i = 0; i < rows; ++i) {
      xhat.row(i).segment(at, plane) *= inv_std[c];
      y.row(i).segment(at, plane).array() = xhat.row(i).segment(at, plane).array() * gamma[c] + beta[c];
    }
  }
}

void SpatialBatchNormForwardEval(const BatchNormConfig& cfg, int channels, ConstMatrixMap z, ConstRowVectorMap gamma,
                                 ConstRowVectorMap beta, ConstRowVectorMap running_mean, ConstRowVectorMap running_var,
                                 MatrixMap y) {
  const Eigen::Index plane = z.cols() / channels;
  for (int c = 0; c < channels; ++c) {
    const float scale = gamma[c] / std::sqrt(running_var[c] + cfg.eps);
    const float shift = beta[c] - running_mean[c] * scale;
    for (Eigen::Index i = 0; i < z.rows(); ++i)
      y.row(i).segment(c * plane, plane).array() = z.row(i).segment(c * plane, plane).array() * scale + shift;
  }
}

void SpatialBatchNormBackward(int channels, ConstMatrixMap xhat, ConstRowVectorMap inv_std, ConstRowVectorMap gamma,
                              ConstMatrixMap dy, MatrixMap dz, RowVectorMap dgamma, RowVectorMap dbeta) {
  const Eigen::Index rows = dy.rows(), plane = dy.cols() / channels;
  const float m = static_cast<float>(rows * plane);
  for (int c = 0; c < channels; ++c) {
    const Eigen::Index at = c * plane;
    double sum_dy = 0, sum_dy_xhat = 0;
    for (Eigen::Index i = 0; i < rows; ++i) {
      sum_dy += dy.row(i).segment(at, plane).cast<double>().sum();
      sum_dy_xhat +=
          (dy.row(i).segment(at, plane).array() * xhat.row(i).segment(at, plane).array()).cast<double>().sum();
    }
    dbeta[c] = static_cast<float>(sum_dy);
    dgamma[c] = static_cast<float>(sum_dy_xhat);
    // dz = γ·inv_std/m · (m·dy − Σdy − xhat·Σ(dy·xhat))
    const float scale = gamma[c] * inv_std[c] / m;
    for (Eigen::Index i = 0; i < rows; ++i)
      dz.row(i).segment(at, plane).array() =
          (dy.row(i).segment(at, plane).array() * m - dbeta[c] - xhat.row(i).segment(at, plane).array() * dgamma[c]) *
          scale;
  }
}

}  // namespace hpsearch::nn
