#include "common/vocabulary/conv_stack.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/util/printable.h"
#include "common/util/status_macros.h"

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

const char* ConvSettingOf(const Params& settings) {
  return settings.contains(kLayersSetting) ? kLayersSetting : kConvSetting;
}

namespace {

absl::Status LayerError(std::size_t i, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("layers[", i, "]: ", what));
}

absl::StatusOr<int> IntIn(std::size_t i, absl::string_view key, absl::string_view text, int lo, int hi) {
  int v = 0;
  if (!absl::SimpleAtoi(text, &v) || v < lo || v > hi)
    return LayerError(
        i, absl::StrCat(key, " must be an integer in [", lo, ", ", hi, "], got ", Quoted(std::string(text))));
  return v;
}

absl::StatusOr<ConvLayer> ParseConv(std::size_t i, const std::vector<absl::string_view>& args) {
  ConvLayer l;
  absl::string_view padding = "valid";
  for (absl::string_view arg : args) {
    const std::vector<absl::string_view> kv = absl::StrSplit(arg, absl::MaxSplits('=', 1));
    if (kv.size() != 2)
      return LayerError(i, absl::StrCat("conv takes key=value settings, got ", Quoted(std::string(arg))));
    const absl::string_view key = kv[0], value = kv[1];
    if (key == "filters") {
      ASSIGN_OR_RETURN(l.filters, IntIn(i, "conv filters", value, 1, 4096));
    } else if (key == "kernel") {
      ASSIGN_OR_RETURN(l.kernel, IntIn(i, "conv kernel", value, 1, 15));
    } else if (key == "stride") {
      ASSIGN_OR_RETURN(l.stride, IntIn(i, "conv stride", value, 1, 15));
    } else if (key == "padding") {
      padding = value;
    } else if (key == "bias") {
      if (value != "true" && value != "false")
        return LayerError(i, absl::StrCat("conv bias must be true or false, got ", Quoted(std::string(value))));
      l.bias = value == "true";
    } else {
      return LayerError(i, absl::StrCat("unknown conv setting ", Quoted(std::string(key)),
                                        "; one of filters, kernel, stride, "
                                        "padding, bias"));
    }
  }
  if (l.filters == 0) return LayerError(i, "conv needs filters, e.g. {conv: {filters: 32, kernel: 3}}");
  if (padding == "same") {
    l.padding = (l.kernel - 1) / 2;
  } else if (padding == "valid") {
    l.padding = 0;
  } else {
    ASSIGN_OR_RETURN(
        l.padding, IntIn(i, "conv padding (same, valid or zeros on each side)", padding, 0, std::max(0, l.kernel - 1)));
  }
  return l;
}

absl::StatusOr<ConvLayer> ParsePool(std::size_t i, const std::vector<absl::string_view>& args) {
  ConvLayer l;
  l.bias = false;
  l.stride = 0;
  bool window = false;
  for (absl::string_view arg : args) {
    const std::vector<absl::string_view> kv = absl::StrSplit(arg, absl::MaxSplits('=', 1));
    if (kv.size() != 2)
      return LayerError(i, absl::StrCat("pool takes key=value settings, got ", Quoted(std::string(arg))));
    if (kv[0] == "max" || kv[0] == "avg") {
      if (window) return LayerError(i, "pool takes one of max and avg");
      window = true;
      l.kind = kv[0] == "max" ? ConvLayer::Kind::kMaxPool : ConvLayer::Kind::kAvgPool;
      ASSIGN_OR_RETURN(l.kernel, IntIn(i, "pool window", kv[1], 1, 16));
    } else if (kv[0] == "stride") {
      ASSIGN_OR_RETURN(l.stride, IntIn(i, "pool stride", kv[1], 1, 16));
    } else {
      return LayerError(i,
                        absl::StrCat("unknown pool setting ", Quoted(std::string(kv[0])), "; one of max, avg, stride"));
    }
  }
  if (!window) return LayerError(i, "pool needs its window, e.g. {pool: {max: 2}} or {pool: {avg: 2}}");
  return l;
}

}  // namespace

absl::StatusOr<LayerList> ParseLayers(const Value& layers) {
  if (!layers.is_list())
    return absl::InvalidArgumentError(absl::StrCat("must be a list of layers, got ", layers.ToString()));
  if (layers.as_list().size() > 64) return absl::InvalidArgumentError("at most 64 layers");
  LayerList out;
  for (std::size_t i = 0; i < layers.as_list().size(); ++i) {
    const Value& entry = layers.as_list()[i];
    if (!entry.is_string())
      return LayerError(i, absl::StrCat("must be a layer such as {conv: {filters: 32}}, {pool: {max: 2}} or "
                                        "{dense: 128}, got ",
                                        entry.ToString()));
    const std::vector<absl::string_view> words = absl::StrSplit(entry.as_string(), ' ', absl::SkipEmpty());
    const absl::string_view kind = words.empty() ? "" : words[0];
    const std::vector<absl::string_view> args(words.begin() + (words.empty() ? 0 : 1), words.end());
    if (kind == "dense") {
      absl::string_view units = args.size() == 1 ? args[0] : "";
      absl::ConsumePrefix(&units, "units=");  // "dense units=128" is "dense 128"
      ASSIGN_OR_RETURN(int width, IntIn(i, "dense units", units, 1, 65536));
      out.dense.push_back(width);
      continue;
    }
    if (kind != "conv" && kind != "pool")
      return LayerError(i, absl::StrCat("unknown layer ", Quoted(std::string(kind)), "; one of conv, pool, dense"));
    if (!out.dense.empty())
      return LayerError(i, absl::StrCat("a ", kind,
                                        " layer after a dense one: the network flattens before its first dense "
                                        "layer, so conv and pool layers come first"));
    if (kind == "conv") {
      ASSIGN_OR_RETURN(ConvLayer l, ParseConv(i, args));
      out.conv.push_back(l);
    } else {
      ASSIGN_OR_RETURN(ConvLayer l, ParsePool(i, args));
      out.conv.push_back(l);
    }
  }
  return out;
}

std::vector<ConvLayer> ConvLayersFromSettings(const Params& settings) {
  if (auto layers = settings.find(kLayersSetting); layers != settings.end()) {
    auto list = ParseLayers(layers->second);
    return list.ok() ? list->conv : std::vector<ConvLayer>{};
  }
  auto number = [&](const char* name, double fallback) {
    auto it = settings.find(name);
    return it != settings.end() && it->second.is_number() ? it->second.number() : fallback;
  };
  const int blocks = static_cast<int>(number("conv_blocks", 0));
  const int kernel = static_cast<int>(number("conv_kernel", 3));
  const int per_block = std::clamp(static_cast<int>(number("conv_per_block", 1)), 1, 2);
  const double growth = number("conv_growth", 2);
  double filters = number("conv_filters", 32);
  std::vector<ConvLayer> layers;
  for (int b = 0; b < blocks; ++b) {
    ConvLayer conv;
    conv.filters = static_cast<int>(std::clamp<double>(std::round(filters), 1, 1 << 24));  // no int overflow
    conv.kernel = kernel;
    conv.padding = (kernel - 1) / 2;
    for (int k = 0; k < per_block; ++k) layers.push_back(conv);
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
    if (l.kind == ConvLayer::Kind::kConv && l.stride < 1) return bad("the stride must be >= 1");
    if (l.stride < 0) return bad("the stride must be >= 0 (0: the window's size)");
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
