// AdaDelta (Zeiler 2012):
//   G ← ρG + (1−ρ)g²;  Δ = −√(S + eps)/√(G + eps)·g;  S ← ρS + (1−ρ)Δ²;  w ← w + lr·Δ.
#pragma once
#include <vector>
#include "worker/optim/optimizer.h"

namespace hpsearch::optim {

class Adadelta final : public Optimizer {
 public:
  Adadelta(std::size_t size, float rho, float eps) : g2_(size, 0.0f), d2_(size, 0.0f), rho_(rho), eps_(eps) {}
  int StateSlots() const override { return 2; }

 private:
  void Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) override;
  std::vector<float> g2_, d2_;
  float rho_, eps_;
};

}  // namespace hpsearch::optim
