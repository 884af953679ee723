#include "worker/data/preprocessor.h"

#include <gtest/gtest.h>

#include "common/util/rng.h"

namespace hpsearch::data {
namespace {

nn::Matrix Correlated(int n, Rng& rng) {
  nn::Matrix x(n, 3);
  for (int i = 0; i < n; ++i) {
    const double a = rng.Normal(), b = rng.Normal();
    x(i, 0) = static_cast<float>(10 + 3 * a);
    x(i, 1) = static_cast<float>(-2 + 2 * a + 0.5 * b);
    x(i, 2) = static_cast<float>(5 * b);
  }
  return x;
}

nn::Matrix Apply(const Preprocessor& p, const nn::Matrix& x) {
  nn::Matrix out(x.rows(), p.output_features());
  p.Transform(nn::ConstMatrixMap(x.data(), x.rows(), x.cols()), nn::MatrixMap(out.data(), out.rows(), out.cols()));
  return out;
}

TEST(Preprocessor, StatisticsComeFromTrainingRowsOnly) {
  Rng rng(1);
  nn::Matrix x = Correlated(2000, rng);
  // Rows ≥ 1000 are "validation": shift them far away; they must not move the fit.
  x.bottomRows(1000).array() += 1000.0f;
  std::vector<int32_t> train(1000);
  for (int i = 0; i < 1000; ++i) train[i] = i;
  auto p = Preprocessor::Fit(PreprocessKind::kStandardize, x, train, 0);
  nn::Matrix y = Apply(p, x.topRows(1000));
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(y.col(j).mean(), 0.0, 1e-3);
    EXPECT_NEAR(std::sqrt(y.col(j).array().square().mean()), 1.0, 1e-2);
  }
}

TEST(Preprocessor, CenterMinmaxAndNone) {
  Rng rng(2);
  nn::Matrix x = Correlated(500, rng);
  std::vector<int32_t> all(500);
  for (int i = 0; i < 500; ++i) all[i] = i;
  nn::Matrix c = Apply(Preprocessor::Fit(PreprocessKind::kCenter, x, all, 0), x);
  EXPECT_NEAR(c.col(0).mean(), 0.0, 1e-3);
  nn::Matrix m = Apply(Preprocessor::Fit(PreprocessKind::kMinmax, x, all, 0), x);
  EXPECT_NEAR(m.minCoeff(), 0.0, 1e-6);
  EXPECT_NEAR(m.maxCoeff(), 1.0, 1e-6);
  nn::Matrix n = Apply(Preprocessor::Fit(PreprocessKind::kNone, x, all, 0), x);
  EXPECT_TRUE(n == x);
}

TEST(Preprocessor, PcaWhitenDecorrelates) {
  Rng rng(3);
  nn::Matrix x = Correlated(4000, rng);
  std::vector<int32_t> all(4000);
  for (int i = 0; i < 4000; ++i) all[i] = i;
  auto p = Preprocessor::Fit(PreprocessKind::kPcaWhiten, x, all, 2);
  EXPECT_EQ(p.output_features(), 2);
  nn::Matrix y = Apply(p, x);
  Eigen::MatrixXd cov = (y.cast<double>().transpose() * y.cast<double>()) / 4000.0;
  EXPECT_NEAR(cov(0, 0), 1.0, 0.02);
  EXPECT_NEAR(cov(1, 1), 1.0, 0.02);
  EXPECT_NEAR(cov(0, 1), 0.0, 0.02);
  // Plain PCA: the first component carries the most variance.
  nn::Matrix z = Apply(Preprocessor::Fit(PreprocessKind::kPca, x, all, 2), x);
  EXPECT_GT(z.col(0).squaredNorm(), z.col(1).squaredNorm());
}

}  // namespace
}  // namespace hpsearch::data

#include "worker/data/augment.h"

namespace hpsearch::data {
namespace {

TEST(Augment, ShiftAndFlipMovePixels) {
  nn::Matrix img = nn::Matrix::Zero(1, 9);  // one 3x3 image with a single lit pixel
  img(0, 0) = 1.0f;                         // (row 0, col 0)
  std::vector<float> scratch(9);
  Rng rng(1);
  Augment flip{0, true};
  int flipped = 0;
  for (int i = 0; i < 50; ++i) {
    nn::Matrix m = img;
    AugmentBatch(flip, 3, 3, rng, nn::MatrixMap(m.data(), 1, 9), scratch.data());
    EXPECT_FLOAT_EQ(m.sum(), 1.0f);
    flipped += m(0, 2) == 1.0f;  // mirrored to (0, 2)
  }
  EXPECT_GT(flipped, 10);
  EXPECT_LT(flipped, 40);
  Augment shift{1, false};
  for (int i = 0; i < 50; ++i) {
    nn::Matrix m = img;
    AugmentBatch(shift, 3, 3, rng, nn::MatrixMap(m.data(), 1, 9), scratch.data());
    EXPECT_LE(m.sum(), 1.0f);  // shifted out of the frame, or to a neighbour
    for (int p = 0; p < 9; ++p)
      if (m(0, p) == 1.0f) {
        EXPECT_TRUE(p == 0 || p == 1 || p == 3 || p == 4) << p;
      }
  }
}

}  // namespace
}  // namespace hpsearch::data
