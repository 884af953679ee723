#include "worker/nn/loss.h"

#include <cmath>

#include "common/util/enum_names.h"

namespace hpsearch::nn {

namespace {
constexpr NameTable<LossKind, 3> kLossNames = {
    {LossKind::kCrossEntropy, "cross_entropy"}, {LossKind::kMse, "mse"}, {LossKind::kHinge, "hinge"}};
}  // namespace

absl::StatusOr<LossKind> ParseLoss(std::string_view name) { return ParseName(kLossNames, name, "loss"); }

std::string_view LossName(LossKind kind) { return NameOf(kLossNames, kind); }

namespace {

// One row of softmax cross-entropy; writes the gradient row when g != nullptr.
double CrossEntropyRow(const float* o, int k, int y, float eps, float inv_n, float* g) {
  float mx = o[0];
  for (int j = 1; j < k; ++j) mx = std::max(mx, o[j]);
  double sum = 0;
  for (int j = 0; j < k; ++j) sum += std::exp(static_cast<double>(o[j] - mx));
  const double log_z = std::log(sum) + mx;
  const double off = eps / k, on = 1.0 - eps + off;
  double loss = 0;
  for (int j = 0; j < k; ++j) {
    const double t = j == y ? on : off;
    const double log_p = o[j] - log_z;
    if (t > 0) loss -= t * log_p;
    if (g) g[j] = static_cast<float>((std::exp(log_p) - t) * inv_n);
  }
  return loss;
}

double MseRow(const float* o, int k, int y, float eps, float inv_n, float* g) {
  const double off = eps / k, on = 1.0 - eps + off;
  double loss = 0;
  for (int j = 0; j < k; ++j) {
    const double d = o[j] - (j == y ? on : off);
    loss += 0.5 * d * d;
    if (g) g[j] = static_cast<float>(d * inv_n);
  }
  return loss;
}

double HingeRow(const float* o, int k, int y, float inv_n, float* g) {
  double loss = 0;
  float gy = 0;
  for (int j = 0; j < k; ++j) {
    if (g) g[j] = 0;
    if (j == y) continue;
    const double margin = static_cast<double>(o[j]) - o[y] + 1.0;
    if (margin > 0) {
      loss += margin;
      if (g) g[j] = inv_n;
      gy -= inv_n;
    }
  }
  if (g) g[y] = gy;
  return loss;
}

}  // namespace

LossResult ClassificationLoss(LossKind kind, float label_smoothing, ConstMatrixMap out, std::span<const int32_t> labels,
                              MatrixMap* grad) {
  const int k = static_cast<int>(out.cols());
  const auto n = out.rows();
  const float inv_n = 1.0f / static_cast<float>(n);
  LossResult r;
  double total = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const float* o = out.data() + i * k;
    float* g = grad ? grad->data() + i * k : nullptr;
    const int y = labels[i];
    switch (kind) {
      case LossKind::kCrossEntropy:
        total += CrossEntropyRow(o, k, y, label_smoothing, inv_n, g);
        break;
      case LossKind::kMse:
        total += MseRow(o, k, y, label_smoothing, inv_n, g);
        break;
      case LossKind::kHinge:
        total += HingeRow(o, k, y, inv_n, g);
        break;
    }
    int best = 0;
    for (int j = 1; j < k; ++j)
      if (o[j] > o[best]) best = j;
    r.correct += best == y;
  }
  r.loss = total / static_cast<double>(n);
  return r;
}

LossResult RegressionLoss(ConstMatrixMap out, ConstMatrixMap targets, MatrixMap* grad, double* sq_error) {
  const auto n = out.rows();
  double sq = 0;
  const float* o = out.data();
  const float* t = targets.data();
  const float inv_n = 1.0f / static_cast<float>(n);
  for (Eigen::Index i = 0; i < out.size(); ++i) {
    const double d = static_cast<double>(o[i]) - t[i];
    sq += d * d;
    if (grad) grad->data()[i] = static_cast<float>(d) * inv_n;
  }
  if (sq_error) *sq_error = sq;
  LossResult r;
  r.loss = 0.5 * sq / static_cast<double>(n);
  return r;
}

}  // namespace hpsearch::nn
