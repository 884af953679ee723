// Weight penalties (applied to weight matrices only, never to biases or batch-norm
// parameters):  l2: λ/2·‖W‖²  (gradient λW),   l1: λ·‖W‖₁  (gradient λ·sign(W)).
#pragma once

#include <span>

namespace hpsearch::nn {

struct Regularizer {
  float l2 = 0;
  float l1 = 0;
  bool active() const { return l2 != 0 || l1 != 0; }
};

// The penalty of one weight block.
double RegularizerPenalty(const Regularizer& reg, std::span<const float> w);

// grad += ∂penalty/∂w for one weight block.
void AddRegularizerGradient(const Regularizer& reg, std::span<const float> w, std::span<float> grad);

}  // namespace hpsearch::nn
