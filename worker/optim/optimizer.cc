#include "worker/optim/optimizer.h"

#include "common/util/enum_names.h"
#include "worker/optim/adadelta.h"
#include "worker/optim/adagrad.h"
#include "worker/optim/adam.h"
#include "worker/optim/momentum.h"
#include "worker/optim/nesterov.h"
#include "worker/optim/rmsprop.h"
#include "worker/optim/sgd.h"

namespace hpsearch::optim {

int UpdateBlocks(std::size_t size) { return size >= 65536 ? 2 : 1; }

void Optimizer::Step(std::span<float> w, std::span<const float> g, float lr, const nn::StepThreads& threads) {
  Begin();
  const std::size_t n = w.size();
  const int blocks = UpdateBlocks(n);
  // Block edges on multiples of 64 floats (whole cache lines, the same vector peel).
  const std::size_t half = (n / 2 + 63) / 64 * 64;
  threads.For(blocks, [&](int k) {
    const std::size_t begin = blocks == 1 || k == 0 ? 0 : half;
    const std::size_t end = blocks == 1 || k == 1 ? n : half;
    Update(w.subspan(begin, end - begin), g.subspan(begin, end - begin), lr, begin);
  });
}

namespace {
constexpr NameTable<OptimizerKind, 7> kNames = {
    {OptimizerKind::kSgd, "sgd"},           {OptimizerKind::kMomentum, "momentum"},
    {OptimizerKind::kNesterov, "nesterov"}, {OptimizerKind::kAdagrad, "adagrad"},
    {OptimizerKind::kRmsprop, "rmsprop"},   {OptimizerKind::kAdadelta, "adadelta"},
    {OptimizerKind::kAdam, "adam"},
};
}  // namespace

absl::StatusOr<OptimizerKind> ParseOptimizer(std::string_view name) { return ParseName(kNames, name, "optimizer"); }

std::string_view OptimizerName(OptimizerKind kind) { return NameOf(kNames, kind); }

double DefaultLearningRate(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kAdadelta:
      return 1.0;
    case OptimizerKind::kAdam:
    case OptimizerKind::kRmsprop:
      return 0.001;
    default:
      return 0.01;
  }
}

int OptimizerStateSlots(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kSgd:
      return 0;
    case OptimizerKind::kAdadelta:
    case OptimizerKind::kAdam:
      return 2;
    default:
      return 1;
  }
}

std::unique_ptr<Optimizer> MakeOptimizer(const OptimizerConfig& c, std::size_t size) {
  const float mu = static_cast<float>(c.momentum.value_or(c.kind == OptimizerKind::kSgd ? 0.0 : 0.9));
  const bool delta = c.kind == OptimizerKind::kAdadelta;
  const float eps = static_cast<float>(c.eps.value_or(delta ? 1e-6 : 1e-8));
  const float rho = static_cast<float>(c.rho.value_or(delta ? 0.95 : 0.9));
  switch (c.kind) {
    case OptimizerKind::kSgd:
      if (mu == 0) return std::make_unique<Sgd>();
      if (c.nesterov) return std::make_unique<Nesterov>(size, mu);
      return std::make_unique<Momentum>(size, mu);
    case OptimizerKind::kMomentum:
      return std::make_unique<Momentum>(size, mu);
    case OptimizerKind::kNesterov:
      return std::make_unique<Nesterov>(size, mu);
    case OptimizerKind::kAdagrad:
      return std::make_unique<Adagrad>(size, eps);
    case OptimizerKind::kRmsprop:
      return std::make_unique<Rmsprop>(size, rho, eps);
    case OptimizerKind::kAdadelta:
      return std::make_unique<Adadelta>(size, rho, eps);
    case OptimizerKind::kAdam:
      return std::make_unique<Adam>(size, c.beta1, c.beta2, eps);
  }
  return nullptr;
}

}  // namespace hpsearch::optim
