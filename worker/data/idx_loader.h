// Reads gzip-compressed IDX files (the MNIST family's format): images as bytes scaled
// to [0, 1], labels as class indices.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "worker/nn/tensor.h"

namespace hpsearch::data {

struct IdxImages {
  nn::Matrix pixels;  // n x (rows*cols), values in [0, 1]
  int rows = 0, cols = 0;
};

// Reads at most `limit` items (0 = all).
absl::StatusOr<IdxImages> ReadIdxImages(const std::string& path, int64_t limit = 0);
absl::StatusOr<std::vector<int32_t>> ReadIdxLabels(const std::string& path, int64_t limit = 0);

}  // namespace hpsearch::data
