// Finite-difference checks of the dense layer, batch norm, dropout and regularizers.
#include <gtest/gtest.h>

#include "tests/testing/grad_check.h"
#include "worker/nn/batch_norm.h"
#include "worker/nn/dense.h"
#include "worker/nn/dropout.h"
#include "worker/nn/regularizer.h"

namespace hpsearch::nn {
namespace {

void Fill(Matrix& m, Rng& rng, double scale = 1.0) {
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.Normal() * scale);
}

double Dot(const Matrix& a, const Matrix& c) { return (a.cast<double>().array() * c.cast<double>().array()).sum(); }

TEST(DenseGradient, WeightsBiasAndInput) {
  Rng rng(1);
  const int n = 5, in = 4, out = 3;
  Matrix x(n, in), w(in, out), b(1, out), c(n, out);
  Fill(x, rng), Fill(w, rng), Fill(b, rng), Fill(c, rng);
  auto loss = [&] {
    Matrix z(n, out);
    DenseForward(ConstMatrixMap(x.data(), n, in), ConstMatrixMap(w.data(), in, out), ConstRowVectorMap(b.data(), out),
                 MatrixMap(z.data(), n, out));
    return Dot(z, c);
  };
  Matrix dw(in, out), db(1, out), dx(n, in);
  MatrixMap dxm(dx.data(), n, in);
  DenseBackward(ConstMatrixMap(x.data(), n, in), ConstMatrixMap(w.data(), in, out), ConstMatrixMap(c.data(), n, out),
                MatrixMap(dw.data(), in, out), RowVectorMap(db.data(), out), &dxm);
  testing::ExpectGradientsMatch({w.data(), 12}, {dw.data(), 12}, loss, "dW");
  testing::ExpectGradientsMatch({b.data(), 3}, {db.data(), 3}, loss, "db");
  testing::ExpectGradientsMatch({x.data(), 20}, {dx.data(), 20}, loss, "dX");
}

TEST(BatchNormGradient, InputGammaBeta) {
  Rng rng(2);
  const int n = 8, d = 4;
  Matrix z(n, d), gamma(1, d), beta(1, d), c(n, d);
  Fill(z, rng, 2.0), Fill(c, rng), Fill(beta, rng);
  for (int j = 0; j < d; ++j) gamma(0, j) = static_cast<float>(1.0 + 0.3 * rng.Normal());
  BatchNormConfig cfg;
  auto forward = [&](Matrix& y, Matrix& xhat, Matrix& inv_std) {
    Matrix rm = Matrix::Zero(1, d), rv = Matrix::Ones(1, d);
    BatchNormForwardTrain(cfg, ConstMatrixMap(z.data(), n, d), ConstRowVectorMap(gamma.data(), d),
                          ConstRowVectorMap(beta.data(), d), RowVectorMap(rm.data(), d), RowVectorMap(rv.data(), d),
                          MatrixMap(xhat.data(), n, d), RowVectorMap(inv_std.data(), d), MatrixMap(y.data(), n, d));
  };
  auto loss = [&] {
    Matrix y(n, d), xhat(n, d), inv(1, d);
    forward(y, xhat, inv);
    return Dot(y, c);
  };
  Matrix y(n, d), xhat(n, d), inv(1, d), dz(n, d), dg(1, d), dbeta(1, d);
  forward(y, xhat, inv);
  BatchNormBackward(ConstMatrixMap(xhat.data(), n, d), ConstRowVectorMap(inv.data(), d),
                    ConstRowVectorMap(gamma.data(), d), ConstMatrixMap(c.data(), n, d), MatrixMap(dz.data(), n, d),
                    RowVectorMap(dg.data(), d), RowVectorMap(dbeta.data(), d));
  testing::ExpectGradientsMatch({z.data(), 32}, {dz.data(), 32}, loss, "dZ", 32, 1e-2);
  testing::ExpectGradientsMatch({gamma.data(), 4}, {dg.data(), 4}, loss, "dgamma");
  testing::ExpectGradientsMatch({beta.data(), 4}, {dbeta.data(), 4}, loss, "dbeta");
}

TEST(BatchNorm, TrainNormalisesAndEvalUsesRunningStats) {
  Rng rng(3);
  const int n = 64, d = 3;
  Matrix z(n, d), y(n, d), xhat(n, d), inv(1, d);
  Fill(z, rng, 3.0);
  z.array() += 5.0f;
  Matrix gamma = Matrix::Ones(1, d), beta = Matrix::Zero(1, d);
  Matrix rm = Matrix::Zero(1, d), rv = Matrix::Ones(1, d);
  BatchNormConfig cfg{1e-5f, 0.0f};  // momentum 0: running = this batch
  BatchNormForwardTrain(cfg, ConstMatrixMap(z.data(), n, d), ConstRowVectorMap(gamma.data(), d),
                        ConstRowVectorMap(beta.data(), d), RowVectorMap(rm.data(), d), RowVectorMap(rv.data(), d),
                        MatrixMap(xhat.data(), n, d), RowVectorMap(inv.data(), d), MatrixMap(y.data(), n, d));
  for (int j = 0; j < d; ++j) {
    EXPECT_NEAR(y.col(j).mean(), 0.0, 1e-4);
    EXPECT_NEAR(std::sqrt(y.col(j).array().square().mean()), 1.0, 1e-3);
  }
  // Evaluation with running stats from the same batch: nearly the same output
  // (running variance is unbiased, n/(n−1)).
  Matrix ye(n, d);
  BatchNormForwardEval(cfg, ConstMatrixMap(z.data(), n, d), ConstRowVectorMap(gamma.data(), d),
                       ConstRowVectorMap(beta.data(), d), ConstRowVectorMap(rm.data(), d),
                       ConstRowVectorMap(rv.data(), d), MatrixMap(ye.data(), n, d));
  EXPECT_NEAR((ye - y).cwiseAbs().maxCoeff(), 0.0, 0.05);
}

TEST(DropoutGradient, FixedMask) {
  Rng rng(4);
  Matrix a(10, 6), c(10, 6), mask(10, 6);
  Fill(a, rng), Fill(c, rng);
  DropoutMask(0.3f, rng, MatrixMap(mask.data(), 10, 6));
  auto loss = [&] {
    Matrix out = a;
    ApplyMask(ConstMatrixMap(mask.data(), 10, 6), MatrixMap(out.data(), 10, 6));
    return Dot(out, c);
  };
  Matrix grad = c;
  ApplyMask(ConstMatrixMap(mask.data(), 10, 6), MatrixMap(grad.data(), 10, 6));
  testing::ExpectGradientsMatch({a.data(), 60}, {grad.data(), 60}, loss, "dropout", 60);
}

TEST(Dropout, MaskIsInvertedAndKeepsExpectation) {
  Rng rng(5);
  Matrix mask(200, 200);
  DropoutMask(0.25f, rng, MatrixMap(mask.data(), 200, 200));
  const double kept = (mask.array() > 0).cast<double>().mean();
  EXPECT_NEAR(kept, 0.75, 0.01);
  EXPECT_NEAR(mask.cast<double>().mean(), 1.0, 0.02);
  EXPECT_FLOAT_EQ(mask.maxCoeff(), 1.0f / 0.75f);
}

// Spatial dropout keeps or drops each channel of each row whole, at rate p, scaled
// by 1/(1−p) as dropout is.
TEST(Dropout, SpatialMaskDropsWholeChannels) {
  Rng rng(7);
  const int channels = 40, plane = 9, rows = 100;
  Matrix mask(rows, channels * plane);
  SpatialDropoutMask(0.3f, rng, channels, plane, MatrixMap(mask.data(), rows, channels * plane));
  int kept = 0;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < channels; ++c) {
      const auto block = mask.row(r).segment(c * plane, plane);
      EXPECT_EQ(block.minCoeff(), block.maxCoeff()) << "row " << r << " channel " << c << " is split";
      EXPECT_TRUE(block(0) == 0.0f || block(0) == 1.0f / 0.7f) << block(0);
      kept += block(0) > 0;
    }
  }
  EXPECT_NEAR(kept / double(rows * channels), 0.7, 0.03);
  EXPECT_NEAR(mask.cast<double>().mean(), 1.0, 0.05);
}

TEST(RegularizerGradient, L1AndL2) {
  Rng rng(6);
  std::vector<float> w(30);
  for (auto& v : w) {
    v = static_cast<float>(rng.Normal());
    if (std::fabs(v) < 0.05f) v = 0.5f;  // away from |w|'s kink
  }
  Regularizer reg{0.3f, 0.07f};
  std::vector<float> grad(30, 0.0f);
  AddRegularizerGradient(reg, w, grad);
  auto loss = [&] { return RegularizerPenalty(reg, w); };
  testing::ExpectGradientsMatch(w, grad, loss, "l1+l2", 30);
  EXPECT_NEAR(RegularizerPenalty({2.0f, 0}, std::vector<float>{3.0f}), 9.0, 1e-9);   // λ/2·w²
  EXPECT_NEAR(RegularizerPenalty({0, 0.5f}, std::vector<float>{-4.0f}), 2.0, 1e-9);  // λ|w|
}

}  // namespace
}  // namespace hpsearch::nn
