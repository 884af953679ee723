// The shape of one image as the convolutional layers see it: channels × height ×
// width, stored channel-major in one row of a batch matrix (PyTorch's NCHW with the
// batch as rows), so a row's element (c, y, x) is at (c·height + y)·width + x.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace hpsearch::nn {

struct ImageShape {
  int channels = 0;
  int height = 0;
  int width = 0;

  int64_t size() const { return int64_t{channels} * height * width; }
  int64_t plane() const { return int64_t{height} * width; }
  // "28×28×1", as the lecture writes shapes (height × width × channels).
  std::string ToString() const { return absl::StrCat(height, "×", width, "×", channels); }
  friend bool operator==(const ImageShape&, const ImageShape&) = default;
};

}  // namespace hpsearch::nn
