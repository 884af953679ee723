#include "worker/optim/nesterov.h"

namespace hpsearch::optim {

void Nesterov::Update(std::span<float> w, std::span<const float> g, float lr, std::size_t offset) {
  float* v = v_.data() + offset;
  const std::size_t n = w.size();
  for (std::size_t i = 0; i < n; ++i) {
    const float v_new = mu_ * v[i] - lr * g[i];
    w[i] += -mu_ * v[i] + (1.0f + mu_) * v_new;
    v[i] = v_new;
  }
}

}  // namespace hpsearch::optim
