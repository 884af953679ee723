#include "worker/data/augment.h"

#include <algorithm>
#include <cstring>

namespace hpsearch::data {

void AugmentBatch(const Augment& aug, int h, int w, Rng& rng, nn::MatrixMap batch, float* scratch) {
  const std::size_t pixels = static_cast<std::size_t>(h) * w;
  for (Eigen::Index r = 0; r < batch.rows(); ++r) {
    float* img = batch.data() + r * batch.cols();
    const int dy = aug.shift > 0 ? static_cast<int>(rng.Below(2 * aug.shift + 1)) - aug.shift : 0;
    const int dx = aug.shift > 0 ? static_cast<int>(rng.Below(2 * aug.shift + 1)) - aug.shift : 0;
    const bool flip = aug.hflip && (rng.Next() & 1);
    if (dx == 0 && dy == 0 && !flip) continue;
    std::memcpy(scratch, img, pixels * sizeof(float));
    for (int y = 0; y < h; ++y) {
      const int sy = y - dy;
      for (int x = 0; x < w; ++x) {
        int sx = x - dx;
        if (flip) sx = w - 1 - sx;
        img[y * w + x] = (sy >= 0 && sy < h && sx >= 0 && sx < w) ? scratch[sy * w + sx] : 0.0f;
      }
    }
  }
}

}  // namespace hpsearch::data
