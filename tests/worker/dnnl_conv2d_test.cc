// Conv layers computed by oneDNN (nn/dnnl_conv2d.h): finite-difference gradients, the
// same results as im2col's (gradient-checked in conv_layers_test) for every stride,
// padding and kernel, and the same bits on one thread as on two.
#include "worker/nn/dnnl_conv2d.h"

#include <gtest/gtest.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/testing/grad_check.h"
#include "tests/testing/step_threads.h"

namespace hpsearch::nn {
namespace {

void Fill(Matrix& m, Rng& rng) {
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.Normal());
}
ConstMatrixMap In(const Matrix& m) { return {m.data(), m.rows(), m.cols()}; }
MatrixMap Out(Matrix& m) { return {m.data(), m.rows(), m.cols()}; }

struct Case {
  ImageShape in;
  Conv2dConfig conv;
};
const std::vector<Case> kCases = {
    {{8, 7, 6}, {5, 3, 1, 1, true}},  {{8, 9, 9}, {3, 3, 2, 0, true}},   {{16, 5, 5}, {4, 1, 1, 0, true}},
    {{8, 6, 7}, {2, 5, 1, 2, false}}, {{12, 8, 8}, {16, 3, 2, 1, true}}, {{32, 14, 14}, {64, 3, 1, 1, true}},
};

std::string Name(const Case& c) {
  return absl::StrCat(c.in.ToString(), " k", c.conv.kernel, " s", c.conv.stride, " p", c.conv.padding, " f",
                      c.conv.filters, c.conv.bias ? "" : " no bias");
}

std::unique_ptr<DnnlConv2d> MakeOrSkip(const Case& k) {
  auto conv = DnnlConv2d::Make(k.in, k.conv);
#ifdef HPSEARCH_EXPECT_DNNL
  EXPECT_NE(conv, nullptr) << "oneDNN is built in but made no kernel for " << Name(k);
#endif
  return conv;
}

struct Results {
  Matrix z, dw, db, dx;
};

Results Convolve(const Case& k, int n, const Matrix& x, const Matrix& w, const Matrix& b, const Matrix& dz, bool dnnl,
                 const StepThreads& threads = {}) {
  const ImageShape out = *Conv2dOutput(k.in, k.conv);
  const int f = k.conv.filters;
  Results r{Matrix(n, out.size()), Matrix(w.rows(), f), Matrix(1, f), Matrix(n, k.in.size())};
  MatrixMap dx = Out(r.dx);
  const ConstRowVectorMap bias(b.data(), k.conv.bias ? f : 0);
  const RowVectorMap db(r.db.data(), k.conv.bias ? f : 0);
  if (dnnl) {
    auto conv = DnnlConv2d::Make(k.in, k.conv);
    conv->Forward(In(x), In(w), bias, Out(r.z), threads);
    conv->Backward(In(w), In(dz), Out(r.dw), db, &dx, threads);
  } else {
    std::vector<float> work(Conv2dWorkspace(k.in, k.conv, n));
    Conv2dForward(k.in, k.conv, In(x), In(w), bias, Out(r.z), work);
    Conv2dBackward(k.in, k.conv, In(x), In(w), In(dz), Out(r.dw), db, &dx, work);
  }
  if (!k.conv.bias) r.db.setZero();
  return r;
}

void ExpectClose(const Matrix& a, const Matrix& b, const char* what) {
  const float scale = 1e-4f * std::max(1.0f, b.cwiseAbs().maxCoeff());
  EXPECT_LE((a - b).cwiseAbs().maxCoeff(), scale) << what;
}

TEST(DnnlConv2d, MatchesIm2colForEveryShape) {
  Rng rng(21);
  for (const Case& k : kCases) {
    SCOPED_TRACE(Name(k));
    if (!MakeOrSkip(k)) GTEST_SKIP() << "built without oneDNN (libdnnl-dev)";
    for (int n : {1, 3, 64, 67}) {
      SCOPED_TRACE(n);
      const ImageShape out = *Conv2dOutput(k.in, k.conv);
      Matrix x(n, k.in.size()), w(k.in.channels * k.conv.kernel * k.conv.kernel, k.conv.filters), b(1, k.conv.filters),
          dz(n, out.size());
      Fill(x, rng), Fill(w, rng), Fill(b, rng), Fill(dz, rng);
      const Results im2col = Convolve(k, n, x, w, b, dz, false), dnnl = Convolve(k, n, x, w, b, dz, true);
      ExpectClose(dnnl.z, im2col.z, "z");
      ExpectClose(dnnl.dw, im2col.dw, "dW");
      ExpectClose(dnnl.db, im2col.db, "db");
      ExpectClose(dnnl.dx, im2col.dx, "dX");
    }
  }
}

TEST(DnnlConv2dGradient, WeightsBiasAndInput) {
  Rng rng(22);
  for (const Case& k : {kCases[0], kCases[1], kCases[3]}) {
    SCOPED_TRACE(Name(k));
    auto conv = MakeOrSkip(k);
    if (!conv) GTEST_SKIP() << "built without oneDNN (libdnnl-dev)";
    const ImageShape out = *Conv2dOutput(k.in, k.conv);
    const int n = 2, f = k.conv.filters;
    Matrix x(n, k.in.size()), w(k.in.channels * k.conv.kernel * k.conv.kernel, f), b(1, f), c(n, out.size());
    Fill(x, rng), Fill(w, rng), Fill(b, rng), Fill(c, rng);
    const ConstRowVectorMap bias(b.data(), k.conv.bias ? f : 0);
    auto loss = [&] {
      Matrix z(n, out.size());
      conv->Forward(In(x), In(w), bias, Out(z), {});
      return (z.cast<double>().array() * c.cast<double>().array()).sum();
    };
    Matrix z(n, out.size()), dw(w.rows(), f), db(1, f), dx(n, k.in.size());
    conv->Forward(In(x), In(w), bias, Out(z), {});
    MatrixMap dxm = Out(dx);
    conv->Backward(In(w), In(c), Out(dw), RowVectorMap(db.data(), k.conv.bias ? f : 0), &dxm, {});
    testing::ExpectGradientsMatch({w.data(), size_t(w.size())}, {dw.data(), size_t(dw.size())}, loss, "dW");
    testing::ExpectGradientsMatch({x.data(), size_t(x.size())}, {dx.data(), size_t(dx.size())}, loss, "dX");
    if (k.conv.bias) testing::ExpectGradientsMatch({b.data(), size_t(f)}, {db.data(), size_t(f)}, loss, "db");
  }
}

TEST(DnnlConv2d, ThreadsChangeNoBit) {
  Rng rng(23);
  for (const Case& k : {kCases[1], kCases[5]}) {
    SCOPED_TRACE(Name(k));
    if (!MakeOrSkip(k)) GTEST_SKIP() << "built without oneDNN (libdnnl-dev)";
    for (int n : {64, 65}) {
      const ImageShape out = *Conv2dOutput(k.in, k.conv);
      Matrix x(n, k.in.size()), w(k.in.channels * k.conv.kernel * k.conv.kernel, k.conv.filters), b(1, k.conv.filters),
          dz(n, out.size());
      Fill(x, rng), Fill(w, rng), Fill(b, rng), Fill(dz, rng);
      const Results one = Convolve(k, n, x, w, b, dz, true),
                    two = Convolve(k, n, x, w, b, dz, true, testing::ThreadedSteps());
      EXPECT_EQ(one.z, two.z);
      EXPECT_EQ(one.dw, two.dw);
      EXPECT_EQ(one.db, two.db);
      EXPECT_EQ(one.dx, two.dx);
    }
  }
}

// Fewer input channels than kDnnlMinChannels stay with im2col, as does every layer
// when HPSEARCH_CONV_KERNEL=im2col.
TEST(DnnlConv2d, FewChannelsAndTheSwitchKeepIm2col) {
  EXPECT_EQ(DnnlConv2d::Make({1, 28, 28}, {32, 3, 1, 1, true}), nullptr);
  EXPECT_EQ(DnnlConv2d::EstimateFloats({1, 28, 28}, {32, 3, 1, 1, true}, 64), 0);
  EXPECT_GT(DnnlConv2d::EstimateFloats({32, 14, 14}, {64, 3, 1, 1, true}, 64), 64 * (32 + 64) * 196);
  setenv("HPSEARCH_CONV_KERNEL", "im2col", 1);
  EXPECT_EQ(DnnlConv2d::Make({32, 14, 14}, {64, 3, 1, 1, true}), nullptr);
  unsetenv("HPSEARCH_CONV_KERNEL");
}

}  // namespace
}  // namespace hpsearch::nn
