// "No heap allocation per batch in the steady state": counts calls to malloc while
// the network trains.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>

#include "worker/nn/loss.h"
#include "worker/nn/network.h"
#include "worker/optim/optimizer.h"

extern "C" void* __libc_malloc(size_t);
namespace {
std::atomic<long> g_mallocs{0};
}
extern "C" void* malloc(size_t n) {
  g_mallocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}

namespace hpsearch::nn {
namespace {

TEST(NoAllocation, TrainingStepsDoNotTouchTheHeap) {
  for (bool bn : {false, true}) {
    NetworkConfig cfg{784, {256, 128}, 10};
    cfg.batch_norm = bn;
    cfg.dropout = 0.2f;
    const int n = 128;
    Network net(cfg, n);
    Rng rng(1);
    net.Initialize(InitKind::kHeNormal, 0, rng);
    auto opt = optim::MakeOptimizer({optim::OptimizerKind::kAdam}, net.num_params());
    Matrix x(n, 784), dout(n, 10);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.Uniform());
    std::vector<int32_t> y(n);
    for (int i = 0; i < n; ++i) y[i] = i % 10;
    Regularizer reg{1e-4f, 1e-5f};
    auto step = [&] {
      ConstMatrixMap out = net.Forward(ConstMatrixMap(x.data(), n, 784), true, &rng);
      MatrixMap g(dout.data(), n, 10);
      ClassificationLoss(LossKind::kCrossEntropy, 0.1f, out, y, &g);
      net.Backward(ConstMatrixMap(x.data(), n, 784), ConstMatrixMap(dout.data(), n, 10));
      net.AddPenaltyGradient(reg);
      opt->Step(net.params(), net.grads(), 1e-3f);
      net.Forward(ConstMatrixMap(x.data(), 64, 784), false, nullptr);  // evaluation chunk
    };
    step();
    const long before = g_mallocs.load();
    for (int i = 0; i < 20; ++i) step();
    EXPECT_EQ(g_mallocs.load() - before, 0) << "batch_norm=" << bn;
  }
}

TEST(NoAllocation, ConvTrainingStepsDoNotTouchTheHeap) {
  for (bool bn : {false, true}) {
    NetworkConfig cfg;
    cfg.image = {1, 12, 12};
    cfg.inputs = 144;
    cfg.features = {FeatureLayer::Conv({4, 3, 1, 1, true}), FeatureLayer::Pool({PoolKind::kMax, 2, 2}),
                    FeatureLayer::Conv({8, 3, 1, 0, false}), FeatureLayer::Pool({PoolKind::kAverage, 2, 2})};
    cfg.hidden = {16};
    cfg.outputs = 10;
    cfg.batch_norm = bn;
    cfg.dropout = 0.2f;
    const int n = 32;
    Network net(cfg, n);
    Rng rng(1);
    net.Initialize(InitKind::kHeNormal, 0, rng);
    auto opt = optim::MakeOptimizer({optim::OptimizerKind::kAdam}, net.num_params());
    Matrix x(n, 144), dout(n, 10);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.Uniform());
    std::vector<int32_t> y(n);
    for (int i = 0; i < n; ++i) y[i] = i % 10;
    Regularizer reg{1e-4f, 1e-5f};
    auto step = [&] {
      ConstMatrixMap out = net.Forward(ConstMatrixMap(x.data(), n, 144), true, &rng);
      MatrixMap g(dout.data(), n, 10);
      ClassificationLoss(LossKind::kCrossEntropy, 0.1f, out, y, &g);
      net.Backward(ConstMatrixMap(x.data(), n, 144), ConstMatrixMap(dout.data(), n, 10));
      net.AddPenaltyGradient(reg);
      opt->Step(net.params(), net.grads(), 1e-3f);
      net.Forward(ConstMatrixMap(x.data(), 16, 144), false, nullptr);  // evaluation chunk
    };
    step();
    const long before = g_mallocs.load();
    for (int i = 0; i < 5; ++i) step();
    EXPECT_EQ(g_mallocs.load() - before, 0) << "batch_norm=" << bn;
  }
}

}  // namespace
}  // namespace hpsearch::nn
