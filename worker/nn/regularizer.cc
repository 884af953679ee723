#include "worker/nn/regularizer.h"

#include <cmath>
#include <cstddef>

namespace hpsearch::nn {

double RegularizerPenalty(const Regularizer& reg, std::span<const float> w) {
  double sq = 0, abs = 0;
  for (float v : w) {
    sq += static_cast<double>(v) * v;
    abs += std::fabs(v);
  }
  return 0.5 * reg.l2 * sq + reg.l1 * abs;
}

void AddRegularizerGradient(const Regularizer& reg, std::span<const float> w, std::span<float> grad) {
  const float l2 = reg.l2, l1 = reg.l1;
  const std::size_t n = w.size();
  for (std::size_t i = 0; i < n; ++i) {
    const float v = w[i];
    const float sign = static_cast<float>((v > 0) - (v < 0));
    grad[i] += l2 * v + l1 * sign;
  }
}

}  // namespace hpsearch::nn
