#include "worker/optim/rmsprop.h"

#include <cmath>

namespace hpsearch::optim {

void Rmsprop::Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) {
  float* s = g2_.data() + offset;
  const std::size_t n = w.size();
  for (std::size_t i = 0; i < n; ++i) {
    s[i] = rho_ * s[i] + (1.0f - rho_) * g[i] * g[i];
    w[i] -= lr * g[i] / (std::sqrt(s[i]) + eps_);
  }
}

}  // namespace hpsearch::optim
