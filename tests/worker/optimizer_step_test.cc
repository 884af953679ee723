// The first two steps of every optimizer against values worked out from DESIGN §5's
// formulas by hand (w = [1, −2], g₁ = [0.5, −1], g₂ = [−0.2, 0.4], lr = 0.1;
// adadelta lr = 1), e.g. momentum: v₁ = −0.05 → w = 0.95;
// v₂ = 0.9·(−0.05) − 0.1·(−0.2) = −0.025 → w = 0.925.
#include <gtest/gtest.h>

#include "optim/optimizer.h"

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

TEST(Optimizer, ParseAndDefaults) {
  EXPECT_EQ(*ParseOptimizer("nesterov"), OptimizerKind::kNesterov);
  EXPECT_FALSE(ParseOptimizer("adamw").ok());
  EXPECT_EQ(DefaultLearningRate(OptimizerKind::kAdadelta), 1.0);
  EXPECT_EQ(DefaultLearningRate(OptimizerKind::kAdam), 0.001);
}

}  // namespace
}  // namespace hpsearch::optim
