// Seeded synthetic datasets (2-D toy problems and a noisy regression function).
//
//   spiral      K interleaved spiral arms (cs231n); noise: angle jitter (default 0.2)
//   moons       two interleaving half circles; noise: Gaussian σ (default 0.1)
//   circles     a circle inside a ring (radii 0.5 and 1); noise σ (default 0.05)
//   xor         points in [−1, 1]², class = sign(x·y); noise σ jitter (default 0.05)
//   blobs       K Gaussian clusters (centres in [−5, 5]^F); noise = cluster σ (default 1)
//   regression  y = sin(2x₀) + ½x₁² − x₂ + ¼x₀x₃ + … (x ~ U(−2, 2)^F) + noise σ (default 0.1)
#pragma once

#include "absl/status/statusor.h"
#include "common/vocabulary/datasets.h"
#include "worker/data/dataset.h"

namespace hpsearch::data {

using vocabulary::DatasetOptions;

// Fills x and labels/targets of `out` (no split). REQUIRES: options.name is one of
// the synthetic names.
absl::Status GenerateSynthetic(const DatasetOptions& options, Dataset& out);

bool IsSynthetic(std::string_view name);

}  // namespace hpsearch::data
