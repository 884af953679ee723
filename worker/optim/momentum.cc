#include "worker/optim/momentum.h"

namespace hpsearch::optim {

void Momentum::Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) {
  float* v = v_.data() + offset;
  const std::size_t n = w.size();
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = mu_ * v[i] - lr * g[i];
    w[i] += v[i];
  }
}

}  // namespace hpsearch::optim
