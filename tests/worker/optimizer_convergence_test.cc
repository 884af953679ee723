// Every optimizer minimises the lectures' f(x, y) = x²/20 + y² from (−7, 2).
#include <gtest/gtest.h>

#include <cmath>

#include "worker/optim/optimizer.h"

namespace hpsearch::optim {
namespace {

struct Case {
  OptimizerKind kind;
  float lr;
  int steps;
};

double F(const std::vector<float>& w) { return w[0] * w[0] / 20.0 + w[1] * w[1]; }

class Convergence : public ::testing::TestWithParam<Case> {};

TEST_P(Convergence, ReachesTheMinimum) {
  const Case c = GetParam();
  OptimizerConfig cfg;
  cfg.kind = c.kind;
  auto opt = MakeOptimizer(cfg, 2);
  std::vector<float> w = {-7.0f, 2.0f}, g(2);
  const double start = F(w);
  for (int i = 0; i < c.steps; ++i) {
    g[0] = w[0] / 10.0f;
    g[1] = 2.0f * w[1];
    opt->Step(w, g, c.lr);
  }
  EXPECT_LT(F(w), 1e-3 * start) << "ended at (" << w[0] << ", " << w[1] << ")";
  EXPECT_LT(std::hypot(w[0], w[1]), 0.3);
}

// Learning rates as in the lectures' comparison (SGD 0.95, momentum 0.1, AdaGrad 1.5,
// Adam 0.3); AdaDelta needs no learning rate but many steps.
INSTANTIATE_TEST_SUITE_P(
    All, Convergence,
    ::testing::Values(Case{OptimizerKind::kSgd, 0.95f, 300}, Case{OptimizerKind::kMomentum, 0.1f, 300},
                      Case{OptimizerKind::kNesterov, 0.1f, 300}, Case{OptimizerKind::kAdagrad, 1.5f, 300},
                      Case{OptimizerKind::kRmsprop, 0.1f, 300}, Case{OptimizerKind::kAdam, 0.3f, 300},
                      Case{OptimizerKind::kAdadelta, 1.0f, 20000}),
    [](const auto& info) { return std::string(OptimizerName(info.param.kind)); });

}  // namespace
}  // namespace hpsearch::optim
