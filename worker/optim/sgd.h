// Plain gradient descent: w ← w − lr·g.
#pragma once
#include "optim/optimizer.h"

namespace hpsearch::optim {

class Sgd final : public Optimizer {
 public:
  void Step(std::span<float> w, std::span<const float> g, float lr) override;
  int StateSlots() const override { return 0; }
};

}  // namespace hpsearch::optim
