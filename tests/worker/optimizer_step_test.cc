// The first two steps of every optimizer against values worked out from DESIGN §5's
// formulas by hand (w = [1, −2], g₁ = [0.5, −1], g₂ = [−0.2, 0.4], lr = 0.1;
// adadelta lr = 1), e.g. momentum: v₁ = −0.05 → w = 0.95;
// v₂ = 0.9·(−0.05) − 0.1·(−0.2) = −0.025 → w = 0.925.
#include <gtest/gtest.h>

#include "worker/optim/optimizer.h"

#include <cmath>
#include <optional>
#include <thread>
#include <vector>

namespace hpsearch::optim {
namespace {

struct StepCase {
  OptimizerKind kind;
  float lr;
  float w1[2], w2[2];
};

class OptimizerSteps : public ::testing::TestWithParam<StepCase> {};

TEST_P(OptimizerSteps, MatchHandComputedValues) {
  const StepCase c = GetParam();
  OptimizerConfig cfg;
  cfg.kind = c.kind;
  auto opt = MakeOptimizer(cfg, 2);
  std::vector<float> w = {1.0f, -2.0f};
  std::vector<float> g1 = {0.5f, -1.0f}, g2 = {-0.2f, 0.4f};
  opt->Step(w, g1, c.lr);
  EXPECT_NEAR(w[0], c.w1[0], 2e-6);
  EXPECT_NEAR(w[1], c.w1[1], 2e-6);
  opt->Step(w, g2, c.lr);
  EXPECT_NEAR(w[0], c.w2[0], 2e-6);
  EXPECT_NEAR(w[1], c.w2[1], 2e-6);
}

INSTANTIATE_TEST_SUITE_P(
    All, OptimizerSteps,
    ::testing::Values(
        StepCase{OptimizerKind::kSgd, 0.1f, {0.95f, -1.9f}, {0.97f, -1.94f}},
        StepCase{OptimizerKind::kMomentum, 0.1f, {0.95f, -1.9f}, {0.925f, -1.85f}},
        StepCase{OptimizerKind::kNesterov, 0.1f, {0.905f, -1.81f}, {0.9025f, -1.805f}},
        StepCase{OptimizerKind::kAdagrad, 0.1f, {0.9f, -1.9f}, {0.937139069f, -1.93713907f}},
        StepCase{OptimizerKind::kRmsprop, 0.1f, {0.683772254f, -1.68377224f}, {0.80663127f, -1.80663126f}},
        StepCase{OptimizerKind::kAdadelta, 1.0f, {0.995528043f, -1.99552791f}, {0.997929109f, -1.99792908f}},
        StepCase{OptimizerKind::kAdam, 0.1f, {0.9f, -1.9f}, {0.865439418f, -1.86543942f}}),
    [](const auto& info) { return std::string(OptimizerName(info.param.kind)); });

// sgd takes PyTorch's SGD(momentum, nesterov): μ = 0.5 by hand from the same w and g,
// v₂ = 0.5·(−0.05) − 0.1·(−0.2) = −0.005 → w = 0.945; with Nesterov,
// w₁ = 1 + 0.5·(−0.05) − 0.1·0.5 = 0.925, w₂ = 0.925 + 0.5·(−0.005) + 0.02 = 0.9425.
// Without momentum (the default for sgd) it is plain sgd.
TEST(Optimizer, SgdWithMomentumAndNesterov) {
  const auto steps = [](std::optional<double> mu, bool nesterov) {
    OptimizerConfig cfg;
    cfg.kind = OptimizerKind::kSgd;
    cfg.momentum = mu;
    cfg.nesterov = nesterov;
    auto opt = MakeOptimizer(cfg, 2);
    std::vector<float> w = {1.0f, -2.0f};
    std::vector<float> g1 = {0.5f, -1.0f}, g2 = {-0.2f, 0.4f};
    opt->Step(w, g1, 0.1f);
    std::vector<float> out = w;
    opt->Step(w, g2, 0.1f);
    out.insert(out.end(), w.begin(), w.end());
    return out;
  };
  const auto expect = [](const std::vector<float>& got, std::vector<float> want) {
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 2e-6) << i;
  };
  expect(steps(0.5, false), {0.95f, -1.9f, 0.945f, -1.89f});
  expect(steps(0.5, true), {0.925f, -1.85f, 0.9425f, -1.885f});
  expect(steps(std::nullopt, false), {0.95f, -1.9f, 0.97f, -1.94f});
  expect(steps(0.0, true), {0.95f, -1.9f, 0.97f, -1.94f});
}

TEST(Optimizer, ParseAndDefaults) {
  EXPECT_EQ(*ParseOptimizer("nesterov"), OptimizerKind::kNesterov);
  EXPECT_FALSE(ParseOptimizer("adamw").ok());
  EXPECT_EQ(DefaultLearningRate(OptimizerKind::kAdadelta), 1.0);
  EXPECT_EQ(DefaultLearningRate(OptimizerKind::kAdam), 0.001);
}

}  // namespace
}  // namespace hpsearch::optim

namespace hpsearch::optim {
namespace {

// A large network's update runs in two blocks (UpdateBlocks), possibly at once: each
// parameter's value is what a rule of its own would give it (every rule is
// elementwise, so the first and the last 100 parameters are checked against fresh
// rules of 100), and on two threads the bits do not change.
TEST(OptimizerBlocks, EveryRuleUpdatesBothBlocksElementwiseWhateverTheThreads) {
  ASSERT_EQ(UpdateBlocks(65535), 1);
  ASSERT_EQ(UpdateBlocks(65536), 2);
  const std::size_t n = 70001;
  std::vector<float> w0(n), g1(n), g2(n);
  for (std::size_t i = 0; i < n; ++i) {
    w0[i] = std::sin(0.37f * static_cast<float>(i));
    g1[i] = std::cos(0.11f * static_cast<float>(i));
    g2[i] = std::sin(0.05f * static_cast<float>(i) + 1.0f);
  }
  const nn::StepThreads two([](int blocks, absl::FunctionRef<void(int)> body) {
    std::vector<std::thread> t;
    for (int i = 1; i < blocks; ++i) t.emplace_back([body, i] { body(i); });
    body(0);
    for (auto& th : t) th.join();
  });
  for (OptimizerKind kind :
       {OptimizerKind::kSgd, OptimizerKind::kMomentum, OptimizerKind::kNesterov, OptimizerKind::kAdagrad,
        OptimizerKind::kRmsprop, OptimizerKind::kAdadelta, OptimizerKind::kAdam}) {
    OptimizerConfig cfg;
    cfg.kind = kind;
    auto serial = MakeOptimizer(cfg, n), threaded = MakeOptimizer(cfg, n);
    std::vector<float> ws = w0, wt = w0;
    for (const auto* g : {&g1, &g2, &g1}) {
      serial->Step(ws, *g, 0.01f);
      threaded->Step(wt, *g, 0.01f, two);
    }
    EXPECT_TRUE(ws == wt) << OptimizerName(kind) << ": two threads changed the numbers";
    for (std::size_t start : {std::size_t{0}, n - 100}) {
      auto small = MakeOptimizer(cfg, 100);
      std::vector<float> w(w0.begin() + start, w0.begin() + start + 100);
      for (const auto* g : {&g1, &g2, &g1}) {
        std::vector<float> part(g->begin() + start, g->begin() + start + 100);
        small->Step(w, part, 0.01f);
      }
      for (std::size_t i = 0; i < 100; ++i) {
        ASSERT_FLOAT_EQ(ws[start + i], w[i]) << OptimizerName(kind) << " parameter " << start + i;
      }
    }
  }
}

}  // namespace
}  // namespace hpsearch::optim
