// Update rules over flat parameter / gradient buffers. Each rule is a small class
// that owns its per-parameter state, allocated once at construction; Step() never
// allocates. The gradient passed in already contains the regularisation terms.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "worker/nn/step_threads.h"

namespace hpsearch::optim {

enum class OptimizerKind { kSgd, kMomentum, kNesterov, kAdagrad, kRmsprop, kAdadelta, kAdam };

absl::StatusOr<OptimizerKind> ParseOptimizer(std::string_view name);
std::string_view OptimizerName(OptimizerKind kind);
// Default learning rate: 1.0 for adadelta, 0.001 for adam and rmsprop, 0.01 otherwise.
double DefaultLearningRate(OptimizerKind kind);

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::kSgd;
  // μ: momentum and nesterov (default 0.9); sgd with μ > 0 is momentum (nesterov with
  // `nesterov`), as PyTorch's SGD(momentum, nesterov); default 0.
  std::optional<double> momentum;
  bool nesterov = false;      // sgd only
  std::optional<double> rho;  // rmsprop (default 0.9), adadelta (0.95)
  std::optional<double> eps;  // adadelta (default 1e-6), others (1e-8)
  double beta1 = 0.9;         // adam
  double beta2 = 0.999;       // adam
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // w ← update(w, g) with learning rate `lr`. REQUIRES: sizes equal the size given
  // at construction. Every rule is elementwise: the update runs in blocks of the
  // parameters fixed by their number (UpdateBlocks), on `threads` when it has more
  // than one (nn/step_threads.h) — the same numbers either way.
  void Step(std::span<float> w, std::span<const float> g, float lr, const nn::StepThreads& threads = {});
  // Number of floats of state per parameter (for memory estimates).
  virtual int StateSlots() const = 0;

 private:
  // Once per step, before the blocks (e.g. Adam's β^t).
  virtual void Begin() {}
  // Parameters [offset, offset + w.size()) of this step.
  virtual void Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) = 0;
};

// How many blocks Step updates `size` parameters in: 2 from 65,536, else 1.
int UpdateBlocks(std::size_t size);

// Builds the rule for `size` parameters.
std::unique_ptr<Optimizer> MakeOptimizer(const OptimizerConfig& config, std::size_t size);
int OptimizerStateSlots(OptimizerKind kind);

}  // namespace hpsearch::optim
