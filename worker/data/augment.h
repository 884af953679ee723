// Image augmentation for training batches (never for evaluation): a random shift of
// up to `shift` pixels in each direction (zero fill) and a random horizontal flip.
#pragma once

#include "common/util/rng.h"
#include "worker/nn/tensor.h"

namespace hpsearch::data {

struct Augment {
  int shift = 0;  // max pixels; 0 = off
  bool hflip = false;
  bool active() const { return shift > 0 || hflip; }
};

// Augments each row (an h x w image) of `batch` in place; `scratch` holds one image.
void AugmentBatch(const Augment& aug, int height, int width, Rng& rng, nn::MatrixMap batch, float* scratch);

}  // namespace hpsearch::data
