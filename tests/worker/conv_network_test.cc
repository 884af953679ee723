// Convolutional layers inside Network: spatial batch norm against finite differences
// and against a per-channel reference, whole conv → pool → dense networks against
// finite differences (with batch norm, dropout, average pooling and regularizers),
// the parameter count of the benchmark CNN (PyTorch's 421,642) and the shape checks
// that name the layer at fault.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/vocabulary/network_size.h"
#include "tests/testing/grad_check.h"
#include "worker/nn/loss.h"
#include "worker/nn/network.h"
#include "worker/nn/spatial_batch_norm.h"

namespace hpsearch::nn {
namespace {

void Fill(Matrix& m, Rng& rng, double scale = 1.0) {
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(scale * rng.Normal());
}

double Dot(const Matrix& a, const Matrix& c) { return (a.cast<double>().array() * c.cast<double>().array()).sum(); }

TEST(SpatialBatchNormGradient, InputGammaBeta) {
  Rng rng(5);
  const int n = 3, channels = 2, plane = 6, d = channels * plane;
  Matrix z(n, d), gamma(1, channels), beta(1, channels), c(n, d);
  Fill(z, rng, 2.0), Fill(c, rng), Fill(beta, rng);
  for (int j = 0; j < channels; ++j) gamma(0, j) = static_cast<float>(1.0 + 0.3 * rng.Normal());
  BatchNormConfig cfg;
  auto forward = [&](Matrix& y, Matrix& xhat, Matrix& inv) {
    Matrix rm = Matrix::Zero(1, channels), rv = Matrix::Ones(1, channels);
    SpatialBatchNormForwardTrain(
        cfg, channels, ConstMatrixMap(z.data(), n, d), ConstRowVectorMap(gamma.data(), channels),
        ConstRowVectorMap(beta.data(), channels), RowVectorMap(rm.data(), channels), RowVectorMap(rv.data(), channels),
        MatrixMap(xhat.data(), n, d), RowVectorMap(inv.data(), channels), MatrixMap(y.data(), n, d));
  };
  auto loss = [&] {
    Matrix y(n, d), xhat(n, d), inv(1, channels);
    forward(y, xhat, inv);
    return Dot(y, c);
  };
  Matrix y(n, d), xhat(n, d), inv(1, channels), dz(n, d), dg(1, channels), dbeta(1, channels);
  forward(y, xhat, inv);
  SpatialBatchNormBackward(channels, ConstMatrixMap(xhat.data(), n, d), ConstRowVectorMap(inv.data(), channels),
                           ConstRowVectorMap(gamma.data(), channels), ConstMatrixMap(c.data(), n, d),
                           MatrixMap(dz.data(), n, d), RowVectorMap(dg.data(), channels),
                           RowVectorMap(dbeta.data(), channels));
  testing::ExpectGradientsMatch({z.data(), static_cast<std::size_t>(n * d)},
                                {dz.data(), static_cast<std::size_t>(n * d)}, loss, "dZ", n * d, 1e-2);
  testing::ExpectGradientsMatch({gamma.data(), 2}, {dg.data(), 2}, loss, "dgamma");
  testing::ExpectGradientsMatch({beta.data(), 2}, {dbeta.data(), 2}, loss, "dbeta");
}

TEST(SpatialBatchNorm, NormalisesEachChannelOverBatchAndPositions) {
  Rng rng(6);
  const int n = 16, channels = 3, plane = 10, d = channels * plane;
  Matrix z(n, d), y(n, d), xhat(n, d), inv(1, channels);
  Fill(z, rng, 3.0);
  for (int c = 0; c < channels; ++c) z.middleCols(c * plane, plane).array() += 4.0f * c - 2.0f;
  Matrix gamma = Matrix::Ones(1, channels), beta = Matrix::Zero(1, channels);
  Matrix rm = Matrix::Zero(1, channels), rv = Matrix::Ones(1, channels);
  BatchNormConfig cfg{1e-5f, 0.0f};  // momentum 0: running = this batch
  SpatialBatchNormForwardTrain(cfg, channels, ConstMatrixMap(z.data(), n, d), ConstRowVectorMap(gamma.data(), channels),
                               ConstRowVectorMap(beta.data(), channels), RowVectorMap(rm.data(), channels),
                               RowVectorMap(rv.data(), channels), MatrixMap(xhat.data(), n, d),
                               RowVectorMap(inv.data(), channels), MatrixMap(y.data(), n, d));
  for (int c = 0; c < channels; ++c) {
    auto block = y.middleCols(c * plane, plane).cast<double>();
    EXPECT_NEAR(block.mean(), 0.0, 1e-4);
    EXPECT_NEAR(std::sqrt(block.array().square().mean()), 1.0, 1e-3);
    EXPECT_NEAR(rm(0, c), z.middleCols(c * plane, plane).cast<double>().mean(), 1e-4);
  }
  // Evaluation with the running statistics of the same batch: the same output but
  // for the running variance's unbiasing, m/(m−1) with m = n·H·W.
  Matrix ye(n, d);
  SpatialBatchNormForwardEval(cfg, channels, ConstMatrixMap(z.data(), n, d), ConstRowVectorMap(gamma.data(), channels),
                              ConstRowVectorMap(beta.data(), channels), ConstRowVectorMap(rm.data(), channels),
                              ConstRowVectorMap(rv.data(), channels), MatrixMap(ye.data(), n, d));
  const float unbias = std::sqrt((n * plane - 1.0f) / (n * plane));
  EXPECT_LT((ye - y * unbias).cwiseAbs().maxCoeff(), 1e-4);
}

struct ConvNetCase {
  std::string name;
  ActivationKind act;
  bool batch_norm;
  float dropout;
  PoolKind pool;
  Regularizer reg;
  float spatial_dropout = 0;
};

class ConvNetworkGradient : public ::testing::TestWithParam<ConvNetCase> {};

// conv(1→3, 3×3, same) → pool 2 → conv(3→2, 2×2, valid, stride 1) → dense 5 → 3.
NetworkConfig SmallConvNet(const ConvNetCase& c) {
  NetworkConfig cfg;
  cfg.image = {1, 6, 7};
  cfg.inputs = static_cast<int>(cfg.image.size());
  cfg.features = {FeatureLayer::Conv({3, 3, 1, 1, true}), FeatureLayer::Pool({c.pool, 2, 2}),
                  FeatureLayer::Conv({2, 2, 1, 0, true})};
  cfg.hidden = {5};
  cfg.outputs = 3;
  cfg.activation.kind = c.act;
  cfg.batch_norm = c.batch_norm;
  cfg.dropout = c.dropout;
  cfg.spatial_dropout = c.spatial_dropout;
  return cfg;
}

TEST_P(ConvNetworkGradient, MatchesFiniteDifferences) {
  const ConvNetCase c = GetParam();
  const NetworkConfig cfg = SmallConvNet(c);
  const int n = 4, d = cfg.inputs;
  Network net(cfg, n);
  Rng init(13);
  net.Initialize(InitKind::kXavierNormal, 0.3f, init);
  Matrix x(n, d);
  Fill(x, init);
  std::vector<int32_t> y(n);
  for (int i = 0; i < n; ++i) y[i] = i % 3;
  auto loss = [&] {
    Rng masks(99);
    ConstMatrixMap out = net.Forward(ConstMatrixMap(x.data(), n, d), true, &masks);
    return ClassificationLoss(LossKind::kCrossEntropy, 0, out, y, nullptr).loss + net.Penalty(c.reg);
  };
  Rng masks(99);
  ConstMatrixMap out = net.Forward(ConstMatrixMap(x.data(), n, d), true, &masks);
  Matrix dout(n, 3);
  MatrixMap dm(dout.data(), n, 3);
  ClassificationLoss(LossKind::kCrossEntropy, 0, out, y, &dm);
  net.Backward(ConstMatrixMap(x.data(), n, d), ConstMatrixMap(dout.data(), n, 3));
  if (c.reg.active()) net.AddPenaltyGradient(c.reg);
  std::vector<float> analytic(net.grads().begin(), net.grads().end());
  // Every parameter: the conv layers' are the first 3·9 + 3 + [6] + 2·3·4 + 2 + [4].
  testing::ExpectGradientsMatch(net.params(), analytic, loss, c.name.c_str(), 400, 1e-3);
}

INSTANTIATE_TEST_SUITE_P(
    All, ConvNetworkGradient,
    ::testing::Values(
        ConvNetCase{"tanh_max", ActivationKind::kTanh, false, 0, PoolKind::kMax, {}},
        ConvNetCase{"sigmoid_avg", ActivationKind::kSigmoid, false, 0, PoolKind::kAverage, {}},
        ConvNetCase{"elu_max_bn", ActivationKind::kElu, true, 0, PoolKind::kMax, {}},
        ConvNetCase{"tanh_avg_dropout", ActivationKind::kTanh, false, 0.3f, PoolKind::kAverage, {}},
        ConvNetCase{"tanh_max_bn_dropout_reg", ActivationKind::kTanh, true, 0.25f, PoolKind::kMax, {0.1f, 0.05f}},
        // Whole channels dropped in the conv layers, units in the dense one.
        ConvNetCase{"tanh_avg_spatial_dropout", ActivationKind::kTanh, false, 0.2f, PoolKind::kAverage, {}, 0.4f},
        ConvNetCase{"elu_max_bn_spatial_dropout", ActivationKind::kElu, true, 0, PoolKind::kMax, {}, 0.3f}),
    [](const auto& info) { return info.param.name; });

// The benchmark CNN: conv(1→32, 3×3, same) ReLU, max pool 2, conv(32→64, 3×3, same)
// ReLU, max pool 2, flatten, dense 3136→128 ReLU, dense 128→10.
NetworkConfig BenchmarkNet() {
  NetworkConfig cfg;
  cfg.image = {1, 28, 28};
  cfg.inputs = 784;
  cfg.features = {FeatureLayer::Conv({32, 3, 1, SamePadding(3), true}), FeatureLayer::Pool({PoolKind::kMax, 2, 2}),
                  FeatureLayer::Conv({64, 3, 1, SamePadding(3), true}), FeatureLayer::Pool({PoolKind::kMax, 2, 2})};
  cfg.hidden = {128};
  cfg.outputs = 10;
  return cfg;
}

TEST(ConvNetwork, TheBenchmarkNetHasPyTorchsParameterCount) {
  const NetworkConfig cfg = BenchmarkNet();
  Network net(cfg, 2);
  EXPECT_EQ(net.num_params(), 421642u);
  EXPECT_EQ(FeatureParameters(cfg.image, cfg.features, false) + 3136 * 128 + 128 + 128 * 10 + 10, 421642);
  NetworkConfig bn = cfg;
  bn.batch_norm = true;
  Network with_bn(bn, 2);
  EXPECT_EQ(with_bn.num_params(), 421642u + 2 * (32 + 64) + 2 * 128);
  EXPECT_EQ(with_bn.state().size(), 2u * (32 + 64 + 128));
  auto shapes = FeatureShapes(cfg.image, cfg.features);
  ASSERT_TRUE(shapes.ok());
  EXPECT_EQ(shapes->back(), (ImageShape{64, 7, 7}));
  // The memory estimate counts at least the parameters, gradients and im2col.
  EXPECT_GE(Network::EstimateBytes(cfg, 64), sizeof(float) * (2 * 421642u + 2 * 9 * 32 * 14 * 14));
}

// The count the validator and `plan` use (common/vocabulary) is the network's.
TEST(ConvNetwork, TheVocabularyCountsWhatTheNetworkBuilds) {
  using vocabulary::ConvLayer;
  const std::vector<ConvLayer> bench = {{ConvLayer::Kind::kConv, 32, 3, 1, 1, true},
                                        {ConvLayer::Kind::kMaxPool, 0, 2, 2, 0, false},
                                        {ConvLayer::Kind::kConv, 64, 3, 1, 1, true},
                                        {ConvLayer::Kind::kMaxPool, 0, 2, 2, 0, false}};
  EXPECT_EQ(vocabulary::ParameterCount({1, 28, 28}, bench, {128}, 10), 421642);
  // conv_blocks: 2 with the other knobs at their defaults is that net.
  const std::vector<ConvLayer> defaults = vocabulary::ConvLayersFromSettings({{"conv_blocks", 2}});
  EXPECT_EQ(vocabulary::ParameterCount({1, 28, 28}, defaults, {128}, 10), 421642);
  // conv_per_block: 2 repeats each block's conv (same filters, same map) before its pool.
  const std::vector<ConvLayer> pairs =
      vocabulary::ConvLayersFromSettings({{"conv_blocks", 2}, {"conv_per_block", 2}, {"conv_filters", 8}});
  ASSERT_EQ(pairs.size(), 6u);
  EXPECT_EQ(pairs[0].filters, 8);
  EXPECT_EQ(pairs[1].filters, 8);
  EXPECT_EQ(pairs[2].kind, ConvLayer::Kind::kMaxPool);
  EXPECT_EQ(pairs[3].filters, 16);
  EXPECT_EQ(pairs[4].filters, 16);
  // 1·9·8+8, 8·9·8+8, 8·9·16+16, 16·9·16+16 conv; 7·7·16 → 10 dense.
  EXPECT_EQ(vocabulary::ParameterCount({1, 28, 28}, pairs, {}, 10), 80 + 584 + 1168 + 2320 + 784 * 10 + 10);
  for (int blocks : {1, 2, 3}) {
    for (int kernel : {3, 5}) {
      for (bool bn : {false, true}) {
        const std::vector<ConvLayer> stack =
            vocabulary::ConvLayersFromSettings({{"conv_blocks", blocks},
                                                {"conv_kernel", kernel},
                                                {"conv_filters", 6},
                                                {"conv_growth", 1.5},
                                                {"conv_per_block", 1 + kernel % 2 * (blocks % 2)}});
        NetworkConfig cfg;
        cfg.image = {1, 28, 28};
        cfg.inputs = 784;
        for (const ConvLayer& l : stack) {
          cfg.features.push_back(l.kind == ConvLayer::Kind::kConv
                                     ? FeatureLayer::Conv({l.filters, l.kernel, l.stride, l.padding, l.bias})
                                     : FeatureLayer::Pool({PoolKind::kMax, l.kernel, l.stride}));
        }
        cfg.hidden = {20};
        cfg.outputs = 10;
        cfg.batch_norm = bn;
        Network net(cfg, 1);
        EXPECT_EQ(vocabulary::ParameterCount({1, 28, 28}, stack, {20}, 10, bn), static_cast<int64_t>(net.num_params()))
            << blocks << " blocks, kernel " << kernel << (bn ? ", batch norm" : "");
        auto shapes = vocabulary::ConvShapes({1, 28, 28}, stack);
        ASSERT_TRUE(shapes.ok());
        EXPECT_EQ(shapes->back().size(), FeatureShapes(cfg.image, cfg.features)->back().size());
      }
    }
  }
}

TEST(ConvNetwork, ForwardIsDeterministicAndShapesTheOutput) {
  const NetworkConfig cfg = BenchmarkNet();
  const int n = 3;
  Matrix x(n, 784);
  Rng rng(2);
  Fill(x, rng);
  auto run = [&] {
    Network net(cfg, n);
    Rng init(7);
    net.Initialize(InitKind::kHeNormal, 0, init);
    ConstMatrixMap out = net.Forward(ConstMatrixMap(x.data(), n, 784), false, nullptr);
    return Matrix(out);
  };
  const Matrix a = run(), b = run();
  EXPECT_EQ(a.rows(), n);
  EXPECT_EQ(a.cols(), 10);
  EXPECT_TRUE((a.array() == b.array()).all());
  EXPECT_TRUE(a.allFinite());
}

TEST(ConvNetwork, AStackThatShrinksBelowOnePixelNamesTheLayer) {
  std::vector<FeatureLayer> layers = {
      FeatureLayer::Conv({4, 3, 1, 0, true}), FeatureLayer::Pool({PoolKind::kMax, 2, 2}),
      FeatureLayer::Conv({4, 3, 1, 0, true}), FeatureLayer::Pool({PoolKind::kMax, 2, 2})};
  auto shapes = FeatureShapes({1, 8, 8}, layers);  // 8 → 6 → 3 → 1 → (2×2 on 1×1)
  ASSERT_FALSE(shapes.ok());
  EXPECT_NE(shapes.status().message().find("layers[3] (max_pool 2×2 stride 2)"), std::string::npos) << shapes.status();
  EXPECT_NE(shapes.status().message().find("below 1×1"), std::string::npos) << shapes.status();
}

}  // namespace
}  // namespace hpsearch::nn
