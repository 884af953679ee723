// Whole-network gradient checks across activation × loss, with batch norm, dropout
// (fixed mask: the generator is re-seeded for every forward pass) and regularizers.
#include <gtest/gtest.h>

#include "tests/testing/grad_check.h"
#include "worker/nn/loss.h"
#include "worker/nn/network.h"

namespace hpsearch::nn {
namespace {

struct NetCase {
  ActivationKind act;
  LossKind loss;
  bool batch_norm;
  float dropout;
  Regularizer reg;
};

std::string Name(const NetCase& c) {
  std::string s = std::string(ActivationName(c.act)) + "_" + std::string(LossName(c.loss));
  if (c.batch_norm) s += "_bn";
  if (c.dropout > 0) s += "_dropout";
  if (c.reg.active()) s += "_reg";
  return s;
}

class NetworkGradient : public ::testing::TestWithParam<NetCase> {};

TEST_P(NetworkGradient, MatchesFiniteDifferences) {
  const NetCase c = GetParam();
  NetworkConfig cfg;
  cfg.inputs = 5;
  cfg.hidden = {7, 6};
  cfg.outputs = 3;
  cfg.activation.kind = c.act;
  cfg.batch_norm = c.batch_norm;
  cfg.dropout = c.dropout;
  const int n = 9;
  Network net(cfg, n);
  Rng init(11);
  net.Initialize(InitKind::kXavierNormal, 0.3f, init);  // units well inside ReLU's active side
  Matrix x(n, 5);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(init.Normal());
  std::vector<int32_t> y(n);
  for (int i = 0; i < n; ++i) y[i] = i % 3;
  auto loss = [&] {
    Rng masks(99);
    ConstMatrixMap out = net.Forward(ConstMatrixMap(x.data(), n, 5), true, &masks);
    return ClassificationLoss(c.loss, 0, out, y, nullptr).loss + net.Penalty(c.reg);
  };
  Rng masks(99);
  ConstMatrixMap out = net.Forward(ConstMatrixMap(x.data(), n, 5), true, &masks);
  Matrix dout(n, 3);
  MatrixMap dm(dout.data(), n, 3);
  ClassificationLoss(c.loss, 0, out, y, &dm);
  net.Backward(ConstMatrixMap(x.data(), n, 5), ConstMatrixMap(dout.data(), n, 3));
  if (c.reg.active()) net.AddPenaltyGradient(c.reg);
  std::vector<float> analytic(net.grads().begin(), net.grads().end());
  testing::ExpectGradientsMatch(net.params(), analytic, loss, Name(c).c_str(), 60, 1e-3);
}

std::vector<NetCase> Cases() {
  std::vector<NetCase> cases;
  for (auto act : {ActivationKind::kSigmoid, ActivationKind::kTanh, ActivationKind::kRelu, ActivationKind::kLeakyRelu,
                   ActivationKind::kElu})
    for (auto loss : {LossKind::kCrossEntropy, LossKind::kMse, LossKind::kHinge})
      cases.push_back({act, loss, false, 0, {}});
  cases.push_back({ActivationKind::kTanh, LossKind::kCrossEntropy, true, 0, {}});
  cases.push_back({ActivationKind::kSigmoid, LossKind::kCrossEntropy, false, 0.3f, {}});
  cases.push_back({ActivationKind::kTanh, LossKind::kMse, true, 0.25f, {0.1f, 0.05f}});
  cases.push_back({ActivationKind::kElu, LossKind::kCrossEntropy, false, 0, {0.2f, 0.0f}});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(All, NetworkGradient, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return Name(info.param); });

TEST(Network, ParameterLayoutAndCount) {
  NetworkConfig cfg{784, {256, 128}, 10};
  Network net(cfg, 4);
  EXPECT_EQ(net.num_params(), 784u * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
  cfg.batch_norm = true;
  Network bn(cfg, 4);
  EXPECT_EQ(bn.num_params(), net.num_params() + 2 * (256 + 128));
  EXPECT_EQ(bn.state().size(), 2u * (256 + 128));
}

}  // namespace
}  // namespace hpsearch::nn
