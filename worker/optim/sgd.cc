#include "worker/optim/sgd.h"

namespace hpsearch::optim {

void Sgd::Update(std::span<float> w, std::span<const float> g, float lr, std::size_t) {
  const std::size_t n = w.size();
  for (std::size_t i = 0; i < n; ++i) w[i] -= lr * g[i];
}

}  // namespace hpsearch::optim
