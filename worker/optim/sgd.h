// Plain gradient descent: w ← w − lr·g.
#pragma once
#include "worker/optim/optimizer.h"

namespace hpsearch::optim {

class Sgd final : public Optimizer {
 public:
  int StateSlots() const override { return 0; }

 private:
  void Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) override;
};

}  // namespace hpsearch::optim
