// Whether every network a spec's trials can build fits: within the server's parameter
// limit, and (for conv layers) on the dataset's images.
#include "search/network_checks.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/util/status_macros.h"
#include "common/vocabulary/conv_stack.h"
#include "common/vocabulary/datasets.h"
#include "common/vocabulary/network_size.h"

namespace hpsearch::search {

namespace {

absl::Status Bad(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

// The largest value a trial of the spec can give numeric setting `name`, and where
// the spec says it (none when the spec leaves it at its default).
std::optional<std::pair<double, std::string>> LargestNumber(const Spec& spec, const std::string& name) {
  std::optional<std::pair<double, std::string>> best;
  auto offer = [&](const Value& v, const std::string& path) {
    if (v.is_number() && (!best || v.number() > best->first)) best = std::make_pair(v.number(), path);
  };
  if (auto it = spec.fixed.find(name); it != spec.fixed.end()) offer(it->second, "fixed." + name);
  for (const auto& p : spec.parameters) {
    if (p.name != name) continue;
    const std::string path = "parameters." + name;
    if (p.domain == Parameter::Domain::kConstant) offer(p.value, path + ".value");
    if (p.domain == Parameter::Domain::kRange) offer(Value(p.range.max), path + ".max");
    for (std::size_t i = 0; i < p.values.size(); ++i) offer(p.values[i], absl::StrCat(path, ".values[", i, "]"));
  }
  return best;
}

// The numeric architecture knobs at their largest (hidden_layers × hidden_units,
// and conv_blocks with conv_filters, conv_growth, conv_kernel): the dense stack
// alone, then every block count up to the largest, since fewer blocks leave a larger
// map to flatten.
absl::Status CheckKnobSize(const Spec& spec, const SpecLimits& limits, int inputs, int outputs, bool batch_norm) {
  Params worst;
  std::string path;
  for (const char* knob :
       {"hidden_layers", "hidden_units", "conv_filters", "conv_growth", "conv_kernel", "conv_per_block"}) {
    if (auto v = LargestNumber(spec, knob)) {
      worst[knob] = Value(v->first);
      if (std::string(knob).starts_with("hidden")) path = v->second;
    }
  }
  std::vector<int64_t> widths = vocabulary::HiddenWidths(worst);
  if (!worst.contains("hidden_layers") && !worst.contains("hidden_units")) {
    if (auto it = spec.fixed.find("hidden"); it != spec.fixed.end() && it->second.is_list())
      widths = vocabulary::HiddenWidths({{"hidden", it->second}});
  }
  auto check = [&](int64_t params, const std::string& at, const std::string& what) {
    if (params <= limits.max_network_params) return absl::OkStatus();
    return Bad(at, absl::StrCat("a network of ", params, " parameters", what, " exceeds the limit of ",
                                limits.max_network_params));
  };
  if (!path.empty()) RETURN_IF_ERROR(check(vocabulary::ParameterCount(inputs, widths, outputs, batch_norm), path, ""));
  const auto blocks = LargestNumber(spec, vocabulary::kConvSetting);
  const vocabulary::ConvShape image = vocabulary::KnownImage(spec.dataset);
  if (!blocks || !image.image()) return absl::OkStatus();
  for (int b = 1; b <= static_cast<int>(blocks->first); ++b) {
    worst[vocabulary::kConvSetting] = Value(int64_t{b});
    const auto conv = vocabulary::ConvLayersFromSettings(worst);
    if (!vocabulary::ConvShapes(image, conv).ok()) break;  // CheckConvStack reports it
    const std::string at = blocks->second.starts_with("fixed.") ? blocks->second : "parameters.conv_blocks";
    RETURN_IF_ERROR(check(vocabulary::ParameterCount(image, conv, widths, outputs, batch_norm), at,
                          absl::StrCat(" (conv_blocks ", b, ", the other knobs at their largest)")));
  }
  return absl::OkStatus();
}

// Conv layers (conv_blocks) need an image that holds the deepest stack the spec can
// ask for: with "same" padding only the pooling shrinks the map, so the most blocks
// and the largest kernel are the worst case. A flat dataset (a CSV) takes none.
absl::Status CheckLayerLists(const Spec& spec) {
  std::vector<std::pair<std::string, const Value*>> lists;
  if (auto it = spec.fixed.find(vocabulary::kLayersSetting); it != spec.fixed.end())
    lists.emplace_back("fixed.layers", &it->second);
  for (const auto& p : spec.parameters) {
    if (p.name != vocabulary::kLayersSetting) continue;
    if (p.domain == Parameter::Domain::kConstant) lists.emplace_back("parameters.layers.value", &p.value);
    for (std::size_t i = 0; i < p.values.size(); ++i)
      lists.emplace_back(absl::StrCat("parameters.layers.values[", i, "]"), &p.values[i]);
  }
  const vocabulary::ConvShape image = vocabulary::KnownImage(spec.dataset);
  for (const auto& [path, value] : lists) {
    auto list = vocabulary::ParseLayers(*value);
    if (!list.ok()) return Bad(path, std::string(list.status().message()));
    if (list->conv.empty()) continue;
    if (!image.image()) {
      return Bad(path, absl::StrCat("conv layers need image data; dataset ", spec.dataset.name,
                                    " is flat (tabular data, as every CSV is)"));
    }
    if (auto shapes = vocabulary::ConvShapes(image, list->conv); !shapes.ok()) {
      return Bad(path, absl::StrCat("on ", spec.dataset.name, "'s ", image.ToString(),
                                    " images: ", shapes.status().message()));
    }
  }
  return absl::OkStatus();
}

// Whether some trial of `spec` has conv layers: conv_blocks of 1 or more, or a
// `layers` list (fixed or one of its values) with a conv in it.
bool MayHaveConv(const Spec& spec) {
  if (auto blocks = LargestNumber(spec, vocabulary::kConvSetting); blocks && blocks->first >= 1) return true;
  const auto has_conv = [](const Value& layers) {
    if (!layers.is_list()) return false;
    for (const auto& l : layers.as_list()) {
      if (l.is_string() && l.as_string().starts_with("conv")) return true;
    }
    return false;
  };
  if (auto it = spec.fixed.find("layers"); it != spec.fixed.end() && has_conv(it->second)) return true;
  for (const auto& p : spec.parameters) {
    if (p.name != "layers") continue;
    if (p.domain == Parameter::Domain::kConstant && has_conv(p.value)) return true;
    for (const auto& v : p.values) {
      if (has_conv(v)) return true;
    }
  }
  return false;
}

}  // namespace

// The largest network any trial of the spec can build, in parameters.
absl::Status CheckNetworkSize(const Spec& spec, const SpecLimits& limits) {
  const int inputs = vocabulary::KnownInputs(spec.dataset);
  const int outputs = vocabulary::KnownOutputs(spec.dataset);
  if (inputs == 0 || outputs == 0 || limits.max_network_params <= 0) return absl::OkStatus();
  std::vector<std::pair<std::string, Value>> candidates;
  if (auto it = spec.fixed.find("hidden"); it != spec.fixed.end()) candidates.emplace_back("fixed.hidden", it->second);
  for (const auto& p : spec.parameters) {
    if (p.name != "hidden") continue;
    if (p.domain == Parameter::Domain::kConstant) candidates.emplace_back("parameters.hidden.value", p.value);
    for (std::size_t i = 0; i < p.values.size(); ++i)
      candidates.emplace_back(absl::StrCat("parameters.hidden.values[", i, "]"), p.values[i]);
  }
  const bool batch_norm = spec.fixed.contains("batch_norm") && spec.fixed.at("batch_norm").is_bool() &&
                          spec.fixed.at("batch_norm").as_bool();
  // `layers` lists: their conv part on the dataset's image, then their dense layers.
  std::vector<std::pair<std::string, Value>> lists;
  if (auto it = spec.fixed.find(vocabulary::kLayersSetting); it != spec.fixed.end())
    lists.emplace_back("fixed.layers", it->second);
  for (const auto& p : spec.parameters) {
    if (p.name != vocabulary::kLayersSetting) continue;
    if (p.domain == Parameter::Domain::kConstant) lists.emplace_back("parameters.layers.value", p.value);
    for (std::size_t i = 0; i < p.values.size(); ++i)
      lists.emplace_back(absl::StrCat("parameters.layers.values[", i, "]"), p.values[i]);
  }
  RETURN_IF_ERROR(CheckKnobSize(spec, limits, inputs, outputs, batch_norm));
  const vocabulary::ConvShape image = vocabulary::KnownImage(spec.dataset);
  for (const auto& [path, value] : lists) {
    auto list = vocabulary::ParseLayers(value);
    if (!list.ok()) continue;  // the vocabulary check reports it
    int64_t params = 0;
    if (list->conv.empty()) {
      params = vocabulary::ParameterCount(inputs, list->dense, outputs, batch_norm);
    } else if (vocabulary::ConvShapes(image, list->conv).ok()) {
      params = vocabulary::ParameterCount(image, list->conv, list->dense, outputs, batch_norm);
    }
    if (params > limits.max_network_params)
      return Bad(path,
                 absl::StrCat("a network of ", params, " parameters exceeds the limit of ", limits.max_network_params));
  }
  for (const auto& [path, h] : candidates) {
    if (!h.is_list()) continue;  // the vocabulary check reports it
    std::vector<int64_t> widths;
    for (const auto& w : h.as_list()) widths.push_back(static_cast<int64_t>(w.number()));
    const int64_t params = vocabulary::ParameterCount(inputs, widths, outputs, batch_norm);
    if (params > limits.max_network_params)
      return Bad(path,
                 absl::StrCat("a network of ", params, " parameters exceeds the limit of ", limits.max_network_params));
  }
  return absl::OkStatus();
}

absl::Status CheckConvStack(const Spec& spec) {
  RETURN_IF_ERROR(CheckLayerLists(spec));
  if (auto spatial = LargestNumber(spec, "spatial_dropout"); spatial && spatial->first > 0 && !MayHaveConv(spec)) {
    return Bad(spatial->second,
               "drops whole channels of conv layers, and no network of this spec has one (add conv_blocks or a "
               "conv to layers); `dropout` drops units of dense layers");
  }
  const auto blocks = LargestNumber(spec, vocabulary::kConvSetting);
  if (!blocks || blocks->first < 1) return absl::OkStatus();
  const vocabulary::ConvShape image = vocabulary::KnownImage(spec.dataset);
  if (!image.image()) {
    return Bad(blocks->second, absl::StrCat("conv layers need image data; dataset ", spec.dataset.name,
                                            " is flat (tabular data, as every CSV is)"));
  }
  Params worst = {{vocabulary::kConvSetting, Value(blocks->first)}};
  if (auto kernel = LargestNumber(spec, "conv_kernel")) worst["conv_kernel"] = Value(kernel->first);
  if (auto per_block = LargestNumber(spec, "conv_per_block")) worst["conv_per_block"] = Value(per_block->first);
  auto shapes = vocabulary::ConvShapes(image, vocabulary::ConvLayersFromSettings(worst));
  if (!shapes.ok()) {
    return Bad(blocks->second, absl::StrCat(static_cast<int64_t>(blocks->first), " blocks on ", spec.dataset.name,
                                            "'s ", image.ToString(), " images: ", shapes.status().message()));
  }
  return absl::OkStatus();
}

}  // namespace hpsearch::search
