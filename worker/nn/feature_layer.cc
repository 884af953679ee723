#include "worker/nn/feature_layer.h"

#include "absl/strings/str_cat.h"

namespace hpsearch::nn {

std::string FeatureLayerName(const FeatureLayer& l) {
  if (l.kind == FeatureLayer::Kind::kConv) {
    return absl::StrCat("conv ", l.conv.filters, " ", l.conv.kernel, "×", l.conv.kernel, " stride ", l.conv.stride,
                        " padding ", l.conv.padding, l.conv.bias ? "" : " no bias");
  }
  return absl::StrCat(l.pool.kind == PoolKind::kMax ? "max_pool " : "avg_pool ", l.pool.size, "×", l.pool.size,
                      " stride ", l.pool.step());
}

absl::StatusOr<std::vector<ImageShape>> FeatureShapes(const ImageShape& in, const std::vector<FeatureLayer>& layers) {
  std::vector<ImageShape> shapes;
  ImageShape shape = in;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const FeatureLayer& l = layers[i];
    absl::StatusOr<ImageShape> out =
        l.kind == FeatureLayer::Kind::kConv ? Conv2dOutput(shape, l.conv) : Pool2dOutput(shape, l.pool);
    if (!out.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("layers[", i, "] (", FeatureLayerName(l), "): ", out.status().message()));
    }
    shape = *out;
    shapes.push_back(shape);
  }
  return shapes;
}

int64_t FeatureParameters(const ImageShape& in, const std::vector<FeatureLayer>& layers, bool batch_norm) {
  int64_t params = 0;
  ImageShape shape = in;
  for (const FeatureLayer& l : layers) {
    if (l.kind == FeatureLayer::Kind::kConv) {
      params += Conv2dParameters(shape, l.conv) + (batch_norm ? 2 * l.conv.filters : 0);
      shape = *Conv2dOutput(shape, l.conv);
    } else {
      shape = *Pool2dOutput(shape, l.pool);
    }
  }
  return params;
}

}  // namespace hpsearch::nn
