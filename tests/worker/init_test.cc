#include "worker/nn/init.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "worker/nn/network.h"

namespace hpsearch::nn {
namespace {

struct Moments {
  double mean, std, max_abs;
};

Moments Measure(InitKind kind, int fan_in, int fan_out) {
  std::vector<float> w(static_cast<std::size_t>(fan_in) * fan_out);
  Rng rng(21);
  InitWeights(kind, fan_in, fan_out, rng, w);
  double s = 0, sq = 0, mx = 0;
  for (float v : w) {
    s += v;
    sq += static_cast<double>(v) * v;
    mx = std::max(mx, static_cast<double>(std::fabs(v)));
  }
  const double n = static_cast<double>(w.size());
  return {s / n, std::sqrt(sq / n - (s / n) * (s / n)), mx};
}

TEST(Init, StatisticsOnLargeFills) {
  const int in = 400, out = 600;
  auto near = [](double got, double want) { EXPECT_NEAR(got, want, 0.01 * want); };
  near(Measure(InitKind::kSmallNormal, in, out).std, 0.01);
  near(Measure(InitKind::kLargeNormal, in, out).std, 1.0);
  near(Measure(InitKind::kXavierNormal, in, out).std, std::sqrt(1.0 / in));
  near(Measure(InitKind::kHeNormal, in, out).std, std::sqrt(2.0 / in));
  const double xu = std::sqrt(6.0 / (in + out));
  Moments m = Measure(InitKind::kXavierUniform, in, out);
  near(m.std, xu / std::sqrt(3.0));  // U(±a) has σ = a/√3
  EXPECT_LE(m.max_abs, xu);
  const double hu = std::sqrt(6.0 / in);
  m = Measure(InitKind::kHeUniform, in, out);
  near(m.std, hu / std::sqrt(3.0));
  EXPECT_LE(m.max_abs, hu);
  for (auto k : {InitKind::kSmallNormal, InitKind::kHeNormal, InitKind::kXavierUniform})
    EXPECT_NEAR(Measure(k, in, out).mean, 0.0, 0.01 * Measure(k, in, out).std * 10);
  m = Measure(InitKind::kZeros, in, out);
  EXPECT_EQ(m.max_abs, 0.0);
}

// The lectures' experiment: 10 layers of 500 units on Gaussian input.
std::vector<double> LayerStds(ActivationKind act, InitKind init) {
  NetworkConfig cfg;
  cfg.inputs = 500;
  cfg.hidden.assign(10, 500);
  cfg.outputs = 10;
  cfg.activation.kind = act;
  const int n = 500;
  Network net(cfg, n);
  Rng rng(5);
  net.Initialize(init, 0.0f, rng);
  Matrix x(n, 500);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.Normal());
  net.Forward(ConstMatrixMap(x.data(), n, 500), false, nullptr);
  std::vector<double> stds;
  for (int l = 0; l < 10; ++l) {
    auto a = net.HiddenActivations(l, n).cast<double>();
    const double mean = a.mean();
    stds.push_back(std::sqrt((a.array() - mean).square().mean()));
  }
  return stds;
}

double SaturatedFraction(InitKind init) {
  NetworkConfig cfg{500, std::vector<int>(10, 500), 10, {ActivationKind::kTanh}};
  Network net(cfg, 200);
  Rng rng(6);
  net.Initialize(init, 0.0f, rng);
  Matrix x(200, 500);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.Normal());
  net.Forward(ConstMatrixMap(x.data(), 200, 500), false, nullptr);
  return (net.HiddenActivations(9, 200).array().abs() > 0.99f).cast<double>().mean();
}

TEST(InitExperiment, SmallNormalCollapsesTanhActivations) {
  const auto s = LayerStds(ActivationKind::kTanh, InitKind::kSmallNormal);
  EXPECT_LT(s[9], 1e-6);
  EXPECT_LT(s[9], s[0] * 1e-4);
}

TEST(InitExperiment, LargeNormalSaturatesTanh) {
  EXPECT_GT(SaturatedFraction(InitKind::kLargeNormal), 0.8);
  EXPECT_LT(SaturatedFraction(InitKind::kXavierNormal), 0.05);
}

TEST(InitExperiment, XavierKeepsTanhSpread) {
  const auto s = LayerStds(ActivationKind::kTanh, InitKind::kXavierNormal);
  for (double v : s) {
    EXPECT_GT(v, 0.2);
    EXPECT_LT(v, 0.9);
  }
}

TEST(InitExperiment, HeKeepsReluAliveWhereXavierFades) {
  const auto he = LayerStds(ActivationKind::kRelu, InitKind::kHeNormal);
  const auto xavier = LayerStds(ActivationKind::kRelu, InitKind::kXavierNormal);
  EXPECT_GT(he[9], 0.5 * he[0]);          // He: variance preserved through depth
  EXPECT_LT(xavier[9], 0.1 * xavier[0]);  // Xavier with ReLU halves it per layer
}

}  // namespace
}  // namespace hpsearch::nn
