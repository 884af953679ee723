// Momentum (heavy ball): v ← μv − lr·g;  w ← w + v.
#pragma once
#include <vector>
#include "worker/optim/optimizer.h"

namespace hpsearch::optim {

class Momentum final : public Optimizer {
 public:
  Momentum(std::size_t size, float mu) : v_(size, 0.0f), mu_(mu) {}
  int StateSlots() const override { return 1; }

 private:
  void Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) override;
  std::vector<float> v_;
  float mu_;
};

}  // namespace hpsearch::optim
