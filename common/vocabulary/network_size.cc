#include "common/vocabulary/network_size.h"

namespace hpsearch::vocabulary {

int64_t ParameterCount(int64_t inputs, const std::vector<int64_t>& hidden, int64_t outputs, bool batch_norm) {
  int64_t params = 0, in = inputs;
  for (int64_t width : hidden) {
    params += in * width + width + (batch_norm ? 2 * width : 0);
    in = width;
  }
  return params + in * outputs + outputs;
}

int64_t ParameterCount(const ConvShape& image, const std::vector<ConvLayer>& conv, const std::vector<int64_t>& hidden,
                       int64_t outputs, bool batch_norm) {
  const ConvShape last = ConvShapes(image, conv)->back();
  return ConvParameterCount(image, conv, batch_norm) + ParameterCount(last.size(), hidden, outputs, batch_norm);
}

std::vector<int64_t> HiddenWidths(const Params& settings) {
  if (auto layers = settings.find(kLayersSetting); layers != settings.end()) {
    auto list = ParseLayers(layers->second);
    return list.ok() ? list->dense : std::vector<int64_t>{};
  }
  auto layers = settings.find("hidden_layers"), units = settings.find("hidden_units");
  if (layers != settings.end() || units != settings.end()) {
    const auto depth = layers != settings.end() ? static_cast<std::size_t>(layers->second.number()) : 1;
    const auto width = units != settings.end() ? static_cast<int64_t>(units->second.number()) : 128;
    return std::vector<int64_t>(depth, width);
  }
  std::vector<int64_t> widths;
  auto hidden = settings.find("hidden");
  if (hidden == settings.end()) return {128};
  for (const auto& w : hidden->second.as_list()) widths.push_back(static_cast<int64_t>(w.number()));
  return widths;
}

}  // namespace hpsearch::vocabulary
