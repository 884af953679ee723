#include "common/vocabulary/conv_stack.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace hpsearch::vocabulary {

std::string ConvLayer::Name() const {
  if (kind == Kind::kConv) {
    return absl::StrCat("conv ", filters, " ", kernel, "×", kernel, " stride ", stride, " padding ", padding,
                        bias ? "" : " no bias");
  }
  return absl::StrCat(kind == Kind::kMaxPool ? "max_pool " : "avg_pool ", kernel, "×", kernel, " stride ",
                      stride > 0 ? stride : kernel);
}

std::string ConvShape::ToString() const { return absl::StrCat(height, "×", width, "×", channels); }

std::vector<ConvLayer> ConvLayersFromSettings(const Params& settings) {
  auto number = [&](const char* name, double fallback) {
    auto it = settings.find(name);
    return it != settings.end() && it->second.is_number() ? it->second.number() : fallback;
  };
  const int blocks = static_cast<int>(number("conv_blocks", 0));
  const int kernel = static_cast<int>(number("conv_kernel", 3));
  const double growth = number("conv_growth", 2);
  double filters = number("conv_filters", 32);
  std::vector<ConvLayer> layers;
  for (int b = 0; b < blocks; ++b) {
    ConvLayer conv;
    conv.filters = std::max(1, static_cast<int>(std::lround(filters)));
    conv.kernel = kernel;
    conv.padding = (kernel - 1) / 2;
    layers.push_back(conv);
    layers.push_back({ConvLayer::Kind::kMaxPool, 0, 2, 2, 0, false});
    filters *= growth;
  }
  return layers;
}

absl::StatusOr<std::vector<ConvShape>> ConvShapes(const ConvShape& in, const std::vector<ConvLayer>& layers) {
  std::vector<ConvShape> shapes;
  if (layers.empty()) return shapes;
  if (!in.image()) {
    return absl::InvalidArgumentError(
        "conv layers need image data (channels × height × width); this dataset is flat (tabular)");
  }
  ConvShape shape = in;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const ConvLayer& l = layers[i];
    auto bad = [&](const std::string& why) {
      return absl::InvalidArgumentError(absl::StrCat("layers[", i, "] (", l.Name(), "): ", why));
    };
    if (l.kernel < 1) return bad("the kernel must be >= 1");
    if (l.stride < (l.kind == ConvLayer::Kind::kConv ? 1 : 0)) return bad("the stride must be >= 1");
    const int stride = l.stride > 0 ? l.stride : l.kernel;
    const int pad = l.kind == ConvLayer::Kind::kConv ? l.padding : 0;
    if (l.kind == ConvLayer::Kind::kConv && l.filters < 1) return bad("filters must be >= 1");
    if (pad < 0 || (pad > 0 && pad >= l.kernel)) return bad(absl::StrCat("padding must be in 0..", l.kernel - 1));
    if (shape.height + 2 * pad < l.kernel || shape.width + 2 * pad < l.kernel) {
      return bad(absl::StrCat("a ", l.kernel, "×", l.kernel, " ",
                              l.kind == ConvLayer::Kind::kConv ? "kernel" : "window", " does not fit a ",
                              shape.ToString(), " input", pad > 0 ? absl::StrCat(" padded by ", pad) : "",
                              ": the feature map would shrink below 1×1"));
    }
    shape = {l.kind == ConvLayer::Kind::kConv ? l.filters : shape.channels,
             (shape.height + 2 * pad - l.kernel) / stride + 1, (shape.width + 2 * pad - l.kernel) / stride + 1};
    shapes.push_back(shape);
  }
  return shapes;
}

int64_t ConvParameterCount(const ConvShape& in, const std::vector<ConvLayer>& layers, bool batch_norm) {
  int64_t params = 0;
  int channels = in.channels;
  for (const ConvLayer& l : layers) {
    if (l.kind != ConvLayer::Kind::kConv) continue;
    params += int64_t{l.filters} * channels * l.kernel * l.kernel + (l.bias ? l.filters : 0) +
              (batch_norm ? 2 * l.filters : 0);
    channels = l.filters;
  }
  return params;
}

}  // namespace hpsearch::vocabulary
