#include "worker/optim/adam.h"

#include <cmath>

namespace hpsearch::optim {

void Adam::Begin() {
  beta1_t_ *= beta1_;
  beta2_t_ *= beta2_;
}

void Adam::Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) {
  // w −= lr·(m/c1)/(√(v/c2) + eps), with the two corrections hoisted out of the loop.
  const float c1 = static_cast<float>(1.0 / (1.0 - beta1_t_));
  const float c2 = static_cast<float>(1.0 / (1.0 - beta2_t_));
  const float b1 = static_cast<float>(beta1_), b2 = static_cast<float>(beta2_);
  const float a1 = 1.0f - b1, a2 = 1.0f - b2;
  float* m = m_.data() + offset;
  float* v = v_.data() + offset;
  const std::size_t n = w.size();
  for (std::size_t i = 0; i < n; ++i) {
    m[i] = b1 * m[i] + a1 * g[i];
    v[i] = b2 * v[i] + a2 * g[i] * g[i];
    w[i] -= lr * (m[i] * c1) / (std::sqrt(v[i] * c2) + eps_);
  }
}

}  // namespace hpsearch::optim
