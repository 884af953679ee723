// RMSProp (Hinton, lecture 6e): G ← ρG + (1−ρ)g²;  w ← w − lr·g/(√G + eps).
#pragma once
#include <vector>
#include "worker/optim/optimizer.h"

namespace hpsearch::optim {

class Rmsprop final : public Optimizer {
 public:
  Rmsprop(std::size_t size, float rho, float eps) : g2_(size, 0.0f), rho_(rho), eps_(eps) {}
  int StateSlots() const override { return 1; }

 private:
  void Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) override;
  std::vector<float> g2_;
  float rho_, eps_;
};

}  // namespace hpsearch::optim
