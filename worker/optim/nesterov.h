// Nesterov accelerated gradient: the gradient is taken at the look-ahead point
// w + μv. With the usual change of variables the stored w is the look-ahead point:
//   v' = μv − lr·g(w);   w ← w − μv + (1 + μ)v';   v ← v'.
#pragma once
#include <vector>
#include "worker/optim/optimizer.h"

namespace hpsearch::optim {

class Nesterov final : public Optimizer {
 public:
  Nesterov(std::size_t size, float mu) : v_(size, 0.0f), mu_(mu) {}
  int StateSlots() const override { return 1; }

 private:
  void Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) override;
  std::vector<float> v_;
  float mu_;
};

}  // namespace hpsearch::optim
