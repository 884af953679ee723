#include "worker/optim/adadelta.h"

#include <cmath>

namespace hpsearch::optim {

void Adadelta::Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) {
  float* gs = g2_.data() + offset;
  float* ds = d2_.data() + offset;
  const std::size_t n = w.size();
  for (std::size_t i = 0; i < n; ++i) {
    gs[i] = rho_ * gs[i] + (1.0f - rho_) * g[i] * g[i];
    const float delta = -std::sqrt(ds[i] + eps_) / std::sqrt(gs[i] + eps_) * g[i];
    ds[i] = rho_ * ds[i] + (1.0f - rho_) * delta * delta;
    w[i] += lr * delta;
  }
}

}  // namespace hpsearch::optim
