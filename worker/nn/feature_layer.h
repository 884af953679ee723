// One layer of a network's convolutional part, which comes before its dense layers
// (a flatten is implicit between the two): a conv2d, followed as a hidden dense layer
// is by [spatial batch norm] → activation → [dropout], or a max/average pooling layer
// (no parameters, no activation).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "worker/nn/conv2d.h"
#include "worker/nn/image_shape.h"
#include "worker/nn/pool2d.h"

namespace hpsearch::nn {

struct FeatureLayer {
  enum class Kind { kConv, kPool };
  Kind kind = Kind::kConv;
  Conv2dConfig conv;  // kConv
  Pool2dConfig pool;  // kPool

  static FeatureLayer Conv(const Conv2dConfig& c) { return {Kind::kConv, c, {}}; }
  static FeatureLayer Pool(const Pool2dConfig& p) { return {Kind::kPool, {}, p}; }
};

// "conv 32 3×3 stride 1 padding 1", "max_pool 2×2 stride 2".
std::string FeatureLayerName(const FeatureLayer& layer);

// Each layer's output shape in turn, from an input of shape `in`; INVALID_ARGUMENT
// naming the layer ("layers[3] (max_pool 2×2 stride 2): ...") that is ill-formed or
// would shrink the feature map below 1×1.
absl::StatusOr<std::vector<ImageShape>> FeatureShapes(const ImageShape& in, const std::vector<FeatureLayer>& layers);

// Learnable parameters of the layers (conv weights and biases, and with batch_norm a
// γ and β per conv channel). REQUIRES: FeatureShapes ok.
int64_t FeatureParameters(const ImageShape& in, const std::vector<FeatureLayer>& layers, bool batch_norm);

}  // namespace hpsearch::nn
