// The convolution and pooling layers: finite-difference gradients over a table of
// shapes (strides, paddings, kernels from 1×1 to 5×5, odd sizes), the forward pass
// against a direct loop, max pooling's ties, and shapes and parameter counts against
// the lecture's example and PyTorch's count for the benchmark CNN.
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "tests/testing/grad_check.h"
#include "tests/testing/step_threads.h"
#include "worker/nn/conv2d.h"
#include "worker/nn/pool2d.h"

namespace hpsearch::nn {
namespace {

void Fill(Matrix& m, Rng& rng) {
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.Normal());
}

double Dot(const Matrix& a, const Matrix& c) { return (a.cast<double>().array() * c.cast<double>().array()).sum(); }

ConstMatrixMap In(const Matrix& m) { return {m.data(), m.rows(), m.cols()}; }
MatrixMap Out(Matrix& m) { return {m.data(), m.rows(), m.cols()}; }

struct ConvCase {
  ImageShape in;
  Conv2dConfig conv;
};

std::string Name(const ConvCase& c) {
  return absl::StrCat(c.in.ToString(), " k", c.conv.kernel, " s", c.conv.stride, " p", c.conv.padding, " f",
                      c.conv.filters, c.conv.bias ? "" : " no bias");
}

// Every stride/padding/kernel combination the trainer offers, on odd and even sizes.
const std::vector<ConvCase> kConvCases = {
    {{1, 5, 5}, {2, 3, 1, 1, true}}, {{2, 7, 6}, {3, 3, 2, 0, true}},  {{3, 6, 7}, {2, 1, 1, 0, true}},
    {{2, 5, 5}, {2, 5, 1, 2, true}}, {{1, 8, 8}, {1, 3, 2, 1, true}},  {{2, 4, 5}, {3, 2, 2, 1, true}},
    {{1, 1, 1}, {2, 1, 1, 0, true}}, {{2, 9, 7}, {2, 3, 3, 1, false}}, {{3, 5, 4}, {1, 4, 1, 0, true}},
    {{1, 6, 6}, {2, 5, 2, 2, true}},
};

TEST(Conv2dGradient, WeightsBiasAndInputForEveryShape) {
  Rng rng(11);
  for (const ConvCase& k : kConvCases) {
    SCOPED_TRACE(Name(k));
    auto out = Conv2dOutput(k.in, k.conv);
    ASSERT_TRUE(out.ok()) << out.status();
    const int n = 2, depth = k.in.channels * k.conv.kernel * k.conv.kernel, f = k.conv.filters;
    Matrix x(n, k.in.size()), w(depth, f), b(1, f), c(n, out->size());
    Fill(x, rng), Fill(w, rng), Fill(b, rng), Fill(c, rng);
    std::vector<float> work(Conv2dWorkspace(k.in, k.conv, n));
    auto loss = [&] {
      Matrix z(n, out->size());
      Conv2dForward(k.in, k.conv, In(x), In(w), ConstRowVectorMap(b.data(), f), Out(z), work);
      return Dot(z, c);
    };
    Matrix dw(depth, f), db(1, f), dx(n, k.in.size());
    MatrixMap dxm = Out(dx);
    Conv2dBackward(k.in, k.conv, In(x), In(w), In(c), Out(dw), RowVectorMap(db.data(), f), &dxm, work);
    testing::ExpectGradientsMatch({w.data(), size_t(w.size())}, {dw.data(), size_t(dw.size())}, loss, "dW");
    testing::ExpectGradientsMatch({x.data(), size_t(x.size())}, {dx.data(), size_t(dx.size())}, loss, "dX");
    if (k.conv.bias) testing::ExpectGradientsMatch({b.data(), size_t(f)}, {db.data(), size_t(f)}, loss, "db");
  }
}

// The forward pass against the definition, written as directly as it reads.
TEST(Conv2d, ForwardMatchesADirectLoop) {
  Rng rng(12);
  for (const ConvCase& k : kConvCases) {
    SCOPED_TRACE(Name(k));
    const ImageShape out = *Conv2dOutput(k.in, k.conv);
    const int n = 3, kk = k.conv.kernel, f = k.conv.filters;
    Matrix x(n, k.in.size()), w(k.in.channels * kk * kk, f), b(1, f), z(n, out.size());
    Fill(x, rng), Fill(w, rng), Fill(b, rng);
    std::vector<float> work(Conv2dWorkspace(k.in, k.conv, n));
    Conv2dForward(k.in, k.conv, In(x), In(w), ConstRowVectorMap(b.data(), f), Out(z), work);
    for (int s = 0; s < n; ++s) {
      for (int o = 0; o < f; ++o) {
        for (int oy = 0; oy < out.height; ++oy) {
          for (int ox = 0; ox < out.width; ++ox) {
            double sum = k.conv.bias ? b(0, o) : 0.0;
            for (int ch = 0; ch < k.in.channels; ++ch) {
              for (int i = 0; i < kk; ++i) {
                for (int j = 0; j < kk; ++j) {
                  const int y = oy * k.conv.stride - k.conv.padding + i, xx = ox * k.conv.stride - k.conv.padding + j;
                  if (y < 0 || y >= k.in.height || xx < 0 || xx >= k.in.width) continue;
                  sum += double{x(s, (ch * k.in.height + y) * k.in.width + xx)} * w((ch * kk + i) * kk + j, o);
                }
              }
            }
            ASSERT_NEAR(z(s, (o * out.height + oy) * out.width + ox), sum, 1e-4);
          }
        }
      }
    }
  }
}

StepThreads Parallel() { return testing::ThreadedSteps(); }
StepThreads InOrder() { return testing::InOrderSteps(); }

struct ConvResults {
  Matrix z, dw, db, dx;
};

ConvResults RunConv(const ConvCase& k, const Matrix& x, const Matrix& w, const Matrix& b, const Matrix& dz,
                    const StepThreads& threads) {
  const ImageShape out = *Conv2dOutput(k.in, k.conv);
  const Eigen::Index n = x.rows();
  const int f = k.conv.filters;
  ConvResults r{Matrix(n, out.size()), Matrix(w.rows(), f), Matrix(1, f), Matrix(n, k.in.size())};
  std::vector<float> work(Conv2dWorkspace(k.in, k.conv, n), std::numeric_limits<float>::quiet_NaN());
  Conv2dForward(k.in, k.conv, In(x), In(w), ConstRowVectorMap(b.data(), f), Out(r.z), work, threads);
  MatrixMap dxm = Out(r.dx);
  Conv2dBackward(k.in, k.conv, In(x), In(w), In(dz), Out(r.dw), RowVectorMap(r.db.data(), f), &dxm, work, threads);
  return r;
}

// A step's images split between two threads give the same bits as on one: each
// image's product is its own, and dW and db sum in the same two halves either way.
// The sums still are the gradient: against a sum over the images in double.
TEST(Conv2d, ThreadsChangeNoBit) {
  Rng rng(13);
  for (const ConvCase& k : {kConvCases[0], kConvCases[1], kConvCases[3]}) {
    for (int n : {1, 63, 64, 65, 100}) {
      SCOPED_TRACE(absl::StrCat(Name(k), " n=", n));
      const ImageShape out = *Conv2dOutput(k.in, k.conv);
      const int f = k.conv.filters, depth = k.in.channels * k.conv.kernel * k.conv.kernel;
      Matrix x(n, k.in.size()), w(depth, f), b(1, f), dz(n, out.size());
      Fill(x, rng), Fill(w, rng), Fill(b, rng), Fill(dz, rng);
      const ConvResults one = RunConv(k, x, w, b, dz, {});
      for (const StepThreads& threads : {Parallel(), InOrder()}) {
        const ConvResults two = RunConv(k, x, w, b, dz, threads);
        EXPECT_EQ(one.z, two.z);
        EXPECT_EQ(one.dw, two.dw);
        EXPECT_EQ(one.db, two.db);
        EXPECT_EQ(one.dx, two.dx);
      }
      // db: every position of every image of dZ's channel.
      for (int o = 0; o < f; ++o) {
        const double sum = dz.cast<double>().middleCols(int64_t{o} * out.plane(), out.plane()).sum();
        EXPECT_NEAR(one.db(0, o), sum, 1e-3 * (1 + std::abs(sum)));
      }
    }
  }
}

TEST(Pool2d, ThreadsChangeNoBit) {
  Rng rng(14);
  const ImageShape in{3, 7, 6};
  for (const Pool2dConfig& pool : {Pool2dConfig{PoolKind::kMax, 2, 1}, Pool2dConfig{PoolKind::kAverage, 3, 2}}) {
    const ImageShape out = *Pool2dOutput(in, pool);
    for (int n : {64, 99}) {
      Matrix x(n, in.size()), dz(n, out.size());
      Fill(x, rng), Fill(dz, rng);
      Matrix z1(n, out.size()), z2(n, out.size()), dx1(n, in.size()), dx2(n, in.size());
      std::vector<int32_t> a1(n * out.size()), a2(a1.size());
      Pool2dForward(in, pool, In(x), Out(z1), a1);
      Pool2dBackward(in, pool, In(dz), a1, Out(dx1));
      Pool2dForward(in, pool, In(x), Out(z2), a2, Parallel());
      Pool2dBackward(in, pool, In(dz), a2, Out(dx2), Parallel());
      EXPECT_EQ(z1, z2);
      EXPECT_EQ(dx1, dx2);
      if (pool.kind == PoolKind::kMax) {
        EXPECT_EQ(a1, a2);
      }
    }
  }
}

TEST(Conv2d, ShapesAndParameterCounts) {
  // 32×32×3, ten 5×5 filters, stride 1, padding 2: 32×32×10, 5·5·3 + 1 = 76 each.
  const ImageShape rgb{3, 32, 32};
  EXPECT_EQ(*Conv2dOutput(rgb, {10, 5, 1, 2, true}), (ImageShape{10, 32, 32}));
  EXPECT_EQ(Conv2dParameters(rgb, {10, 5, 1, 2, true}), 760);
  EXPECT_EQ(*Conv2dOutput(rgb, {4, 3, 2, 0, true}), (ImageShape{4, 15, 15}));
  EXPECT_EQ(SamePadding(3), 1);
  EXPECT_EQ(SamePadding(5), 2);
  // A kernel that does not fit, and bad settings, are refused naming the reason.
  auto shrink = Conv2dOutput({1, 2, 2}, {1, 5, 1, 1, true});
  ASSERT_FALSE(shrink.ok());
  EXPECT_NE(shrink.status().message().find("shrink below 1×1"), std::string::npos) << shrink.status();
  EXPECT_FALSE(Conv2dOutput(rgb, {0, 3, 1, 1, true}).ok());
  EXPECT_FALSE(Conv2dOutput(rgb, {1, 3, 0, 1, true}).ok());
  EXPECT_FALSE(Conv2dOutput(rgb, {1, 3, 1, 3, true}).ok());
}

// PyTorch's count for the benchmark CNN (../shared/bench/torch_cnn.py: conv 32 3×3
// same → max pool 2 → conv 64 3×3 same → max pool 2 → dense 128 → dense 10): 421,642.
TEST(Conv2d, TheBenchmarkNetHasPyTorchsParameterCount) {
  const ImageShape mnist{1, 28, 28};
  const Conv2dConfig c1{32, 3, 1, SamePadding(3), true}, c2{64, 3, 1, SamePadding(3), true};
  const Pool2dConfig pool{PoolKind::kMax, 2, 2};
  const ImageShape a = *Conv2dOutput(mnist, c1);
  const ImageShape p1 = *Pool2dOutput(a, pool);
  const ImageShape b = *Conv2dOutput(p1, c2);
  const ImageShape p2 = *Pool2dOutput(b, pool);
  EXPECT_EQ(p2, (ImageShape{64, 7, 7}));
  const int64_t dense = p2.size() * 128 + 128 + 128 * 10 + 10;
  EXPECT_EQ(Conv2dParameters(mnist, c1) + Conv2dParameters(p1, c2) + dense, 421642);
}

TEST(Pool2d, TheLecturesExampleAndRefusals) {
  // "32×32×3, 2×2 max pooling, stride 2: output 16×16×3, 0 parameters" (nothing to learn).
  EXPECT_EQ(*Pool2dOutput({3, 32, 32}, {PoolKind::kMax, 2, 2}), (ImageShape{3, 16, 16}));
  EXPECT_EQ(*Pool2dOutput({3, 32, 32}, {PoolKind::kAverage, 2, 0}), (ImageShape{3, 16, 16}));
  EXPECT_EQ(*Pool2dOutput({2, 7, 7}, {PoolKind::kMax, 3, 2}), (ImageShape{2, 3, 3}));
  auto shrink = Pool2dOutput({1, 1, 3}, {PoolKind::kMax, 2, 2});
  ASSERT_FALSE(shrink.ok());
  EXPECT_NE(shrink.status().message().find("shrink below 1×1"), std::string::npos);
}

struct PoolCase {
  ImageShape in;
  Pool2dConfig pool;
};

TEST(Pool2dGradient, MaxAndAverageForEveryShape) {
  Rng rng(13);
  for (PoolKind kind : {PoolKind::kMax, PoolKind::kAverage}) {
    for (const PoolCase& k : std::vector<PoolCase>{{{2, 6, 6}, {kind, 2, 2}},
                                                   {{1, 7, 5}, {kind, 3, 2}},
                                                   {{3, 5, 5}, {kind, 2, 1}},
                                                   {{1, 4, 4}, {kind, 4, 0}}}) {
      SCOPED_TRACE(absl::StrCat(kind == PoolKind::kMax ? "max " : "avg ", k.in.ToString(), " size ", k.pool.size,
                                " stride ", k.pool.step()));
      const ImageShape out = *Pool2dOutput(k.in, k.pool);
      const int n = 2;
      Matrix x(n, k.in.size()), c(n, out.size());
      Fill(x, rng), Fill(c, rng);  // distinct values: no ties, so the maximum has a gradient
      std::vector<int32_t> argmax(n * out.size());
      auto loss = [&] {
        Matrix z(n, out.size());
        std::vector<int32_t> where(argmax.size());
        Pool2dForward(k.in, k.pool, In(x), Out(z), where);
        return Dot(z, c);
      };
      Matrix z(n, out.size()), dx(n, k.in.size());
      Pool2dForward(k.in, k.pool, In(x), Out(z), argmax);
      Pool2dBackward(k.in, k.pool, In(c), argmax, Out(dx));
      testing::ExpectGradientsMatch({x.data(), size_t(x.size())}, {dx.data(), size_t(dx.size())}, loss, "dX",
                                    static_cast<int>(x.size()), 1e-4);
    }
  }
}

TEST(Pool2d, MaxPoolingGivesATiesGradientToTheFirstMaximum) {
  const ImageShape in{1, 2, 4};
  // Windows [1 3 | 3 1] and [2 2 | 2 2]: maxima 3 (twice) and 2 (four times).
  Matrix x(1, 8);
  x << 1, 3, 2, 2, 3, 1, 2, 2;
  Matrix z(1, 2), dx(1, 8), dz(1, 2);
  dz << 10, 20;
  std::vector<int32_t> argmax(2);
  const Pool2dConfig pool{PoolKind::kMax, 2, 2};
  Pool2dForward(in, pool, In(x), Out(z), argmax);
  EXPECT_EQ(z(0, 0), 3);
  EXPECT_EQ(z(0, 1), 2);
  Pool2dBackward(in, pool, In(dz), argmax, Out(dx));
  Matrix expected(1, 8);
  expected << 0, 10, 20, 0, 0, 0, 0, 0;
  EXPECT_EQ(dx, expected);
}

}  // namespace
}  // namespace hpsearch::nn
