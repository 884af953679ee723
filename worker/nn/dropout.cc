#include "nn/dropout.h"

namespace hpsearch::nn {

void DropoutMask(float p, Rng& rng, MatrixMap mask) {
  const float keep = 1.0f / (1.0f - p);
  // Two 32-bit draws per 64-bit random number: the mask is on the hot path.
  const auto threshold = static_cast<uint32_t>(p * 4294967296.0);
  float* m = mask.data();
  const Eigen::Index n = mask.size();
  Eigen::Index i = 0;
  for (; i + 1 < n; i += 2) {
    const uint64_t r = rng.Next();
    m[i] = static_cast<uint32_t>(r) >= threshold ? keep : 0.0f;
    m[i + 1] = static_cast<uint32_t>(r >> 32) >= threshold ? keep : 0.0f;
  }
  if (i < n) m[i] = static_cast<uint32_t>(rng.Next()) >= threshold ? keep : 0.0f;
}

}  // namespace hpsearch::nn
