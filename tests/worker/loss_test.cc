#include "worker/nn/loss.h"

#include <gtest/gtest.h>

#include "tests/testing/grad_check.h"

namespace hpsearch::nn {
namespace {

struct LossCase {
  LossKind kind;
  float smoothing;
};

class LossGradient : public ::testing::TestWithParam<LossCase> {};

TEST_P(LossGradient, MatchesFiniteDifferences) {
  const auto [kind, eps] = GetParam();
  Rng rng(7);
  const int n = 6, k = 4;
  Matrix o(n, k), g(n, k);
  for (Eigen::Index i = 0; i < o.size(); ++i) o.data()[i] = static_cast<float>(rng.Normal() * 2);
  std::vector<int32_t> y = {0, 3, 1, 2, 2, 0};
  auto loss = [&] { return ClassificationLoss(kind, eps, ConstMatrixMap(o.data(), n, k), y, nullptr).loss; };
  MatrixMap gm(g.data(), n, k);
  ClassificationLoss(kind, eps, ConstMatrixMap(o.data(), n, k), y, &gm);
  testing::ExpectGradientsMatch({o.data(), 24}, {g.data(), 24}, loss, "loss", 24);
}

INSTANTIATE_TEST_SUITE_P(All, LossGradient,
                         ::testing::Values(LossCase{LossKind::kCrossEntropy, 0},
                                           LossCase{LossKind::kCrossEntropy, 0.1f}, LossCase{LossKind::kMse, 0},
                                           LossCase{LossKind::kMse, 0.2f}, LossCase{LossKind::kHinge, 0}));

TEST(Loss, RegressionGradient) {
  Rng rng(8);
  Matrix o(5, 2), t(5, 2), g(5, 2);
  for (Eigen::Index i = 0; i < o.size(); ++i) {
    o.data()[i] = static_cast<float>(rng.Normal());
    t.data()[i] = static_cast<float>(rng.Normal());
  }
  auto loss = [&] {
    return RegressionLoss(ConstMatrixMap(o.data(), 5, 2), ConstMatrixMap(t.data(), 5, 2), nullptr, nullptr).loss;
  };
  MatrixMap gm(g.data(), 5, 2);
  double sq = 0;
  RegressionLoss(ConstMatrixMap(o.data(), 5, 2), ConstMatrixMap(t.data(), 5, 2), &gm, &sq);
  testing::ExpectGradientsMatch({o.data(), 10}, {g.data(), 10}, loss, "mse", 10);
  EXPECT_NEAR(sq, (o - t).cast<double>().squaredNorm(), 1e-4);
}

TEST(Loss, KnownValues) {
  Matrix o(1, 3);
  o << 1.0f, 2.0f, 3.0f;
  std::vector<int32_t> y = {2};
  // Cross-entropy: −log softmax(o)_2.
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  auto ce = ClassificationLoss(LossKind::kCrossEntropy, 0, ConstMatrixMap(o.data(), 1, 3), y, nullptr);
  EXPECT_NEAR(ce.loss, -std::log(std::exp(3.0) / z), 1e-6);
  EXPECT_EQ(ce.correct, 1);
  // Hinge with the true class 0: max(0, 2−1+1) + max(0, 3−1+1) = 2 + 3.
  std::vector<int32_t> y0 = {0};
  auto h = ClassificationLoss(LossKind::kHinge, 0, ConstMatrixMap(o.data(), 1, 3), y0, nullptr);
  EXPECT_NEAR(h.loss, 5.0, 1e-6);
  EXPECT_EQ(h.correct, 0);
  // MSE against one-hot class 2: ½(1² + 2² + 2²).
  auto m = ClassificationLoss(LossKind::kMse, 0, ConstMatrixMap(o.data(), 1, 3), y, nullptr);
  EXPECT_NEAR(m.loss, 0.5 * (1 + 4 + 4), 1e-6);
  // Label smoothing 0.3, K = 3: targets (0.1, 0.1, 0.8).
  auto s = ClassificationLoss(LossKind::kCrossEntropy, 0.3f, ConstMatrixMap(o.data(), 1, 3), y, nullptr);
  const double lp[3] = {1 - std::log(z), 2 - std::log(z), 3 - std::log(z)};
  EXPECT_NEAR(s.loss, -(0.1 * lp[0] + 0.1 * lp[1] + 0.8 * lp[2]), 1e-6);
}

TEST(Loss, StableForHugeLogits) {
  Matrix o(1, 2);
  o << 1000.0f, -1000.0f;
  std::vector<int32_t> y = {1};
  auto r = ClassificationLoss(LossKind::kCrossEntropy, 0, ConstMatrixMap(o.data(), 1, 2), y, nullptr);
  EXPECT_NEAR(r.loss, 2000.0, 1e-3);
}

}  // namespace
}  // namespace hpsearch::nn
