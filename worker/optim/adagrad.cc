#include "worker/optim/adagrad.h"

#include <cmath>

namespace hpsearch::optim {

void Adagrad::Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) {
  float* h = h_.data() + offset;
  const std::size_t n = w.size();
  for (std::size_t i = 0; i < n; ++i) {
    h[i] += g[i] * g[i];
    w[i] -= lr * g[i] / (std::sqrt(h[i]) + eps_);
  }
}

}  // namespace hpsearch::optim
