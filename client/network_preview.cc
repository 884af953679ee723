#include "client/network_preview.h"

#include "absl/strings/str_cat.h"
#include "common/vocabulary/conv_stack.h"
#include "common/vocabulary/network_size.h"

namespace hpsearch::client {

std::optional<NetworkPreview> PreviewConvNetwork(const vocabulary::DatasetOptions& dataset, const Params& settings) {
  const std::vector<vocabulary::ConvLayer> conv = vocabulary::ConvLayersFromSettings(settings);
  const vocabulary::ConvShape image = vocabulary::KnownImage(dataset);
  const int64_t outputs = vocabulary::KnownOutputs(dataset);
  if (conv.empty() || !image.image() || outputs == 0) return std::nullopt;
  auto shapes = vocabulary::ConvShapes(image, conv);
  if (!shapes.ok()) return std::nullopt;
  auto bn = settings.find("batch_norm");
  const bool batch_norm = bn != settings.end() && bn->second.is_bool() && bn->second.as_bool();
  NetworkPreview p;
  p.layers.push_back({"input", image.ToString(), 0});
  vocabulary::ConvShape in = image;
  for (std::size_t i = 0; i < conv.size(); ++i) {
    p.layers.push_back(
        {conv[i].Name(), (*shapes)[i].ToString(), vocabulary::ConvParameterCount(in, {conv[i]}, batch_norm)});
    in = (*shapes)[i];
  }
  p.layers.push_back({"flatten", std::to_string(in.size()), 0});
  int64_t width = in.size();
  for (int64_t units : vocabulary::HiddenWidths(settings)) {
    p.layers.push_back(
        {absl::StrCat("dense ", units), std::to_string(units), width * units + units + (batch_norm ? 2 * units : 0)});
    width = units;
  }
  p.layers.push_back(
      {absl::StrCat("dense ", outputs, " (output)"), std::to_string(outputs), width * outputs + outputs});
  for (const LayerRow& row : p.layers) p.parameters += row.parameters;
  return p;
}

}  // namespace hpsearch::client
