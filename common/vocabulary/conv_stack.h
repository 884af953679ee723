// A network's convolutional layers as the settings describe them, in the one form
// the spec validator, `plan`, the parameter count and the trainer share. The numeric
// knobs build the stack so TPE can search architecture as numbers:
//
//   conv_blocks     N blocks of [conv, conv?, max_pool 2] before the dense layers [0: none]
//   conv_per_block  convs in each block (1 or 2: VGG's pairs), same filters [1]
//   conv_filters    the first block's filters [32]
//   conv_growth     each block's filters are the previous block's × this, rounded [2]
//   conv_kernel     every conv's k × k, padded to keep the map's size ("same") [3]
//
// or the `layers` setting lists the network, each entry a layer written as one name
// with a value or a mapping (YAML; common/yaml/yaml_value.h makes it its text):
//
//   {conv: {filters: 32, kernel: 3, stride: 1, padding: same, bias: true}}
//       "conv filters=32 kernel=3 padding=same": filters required; kernel [3],
//       stride [1], padding same | valid | zeros on each side [valid], bias [true]
//   {pool: {max: 2}}, {pool: {avg: 2, stride: 1}}   "pool max=2": the window, stride [the window]
//   {dense: 128}                                     "dense 128": a hidden dense layer
//
// conv and pool layers come first (the network flattens before its first dense
// layer); the output layer is implicit.
//
// Shapes follow PyTorch: a conv maps H to ⌊(H + 2·padding − k) / stride⌋ + 1, a
// pooling window of k with stride s to ⌊(H − k) / s⌋ + 1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/util/value.h"

namespace hpsearch::vocabulary {

struct ConvLayer {
  enum class Kind { kConv, kMaxPool, kAvgPool };
  Kind kind = Kind::kConv;
  int filters = 0;  // kConv
  int kernel = 3;   // kConv: k × k; pooling: the window
  int stride = 1;   // pooling: 0 = the window
  int padding = 0;  // kConv: zeros on each side
  bool bias = true;

  // "conv 32 3×3 stride 1 padding 1", "max_pool 2×2 stride 2".
  std::string Name() const;
};

// channels × height × width; all 0 for flat (tabular) data.
struct ConvShape {
  int channels = 0, height = 0, width = 0;
  int64_t size() const { return int64_t{channels} * height * width; }
  bool image() const { return height > 0; }
  // "28×28×1" (height × width × channels, as the lecture writes shapes).
  std::string ToString() const;
};

// The stack `settings` describe: the conv part of `layers` when set, else the knobs
// (conv_blocks and the rest; empty without conv_blocks or with conv_blocks 0).
// REQUIRES: each value passed CheckParam.
std::vector<ConvLayer> ConvLayersFromSettings(const Params& settings);

// The name of the setting that made the stack ("conv_blocks" or "layers"), for
// messages.
inline constexpr char kConvSetting[] = "conv_blocks";
inline constexpr char kLayersSetting[] = "layers";
const char* ConvSettingOf(const Params& settings);

// The `layers` setting: its conv and pool layers, then its hidden dense widths.
struct LayerList {
  std::vector<ConvLayer> conv;
  std::vector<int64_t> dense;
};
// INVALID_ARGUMENT naming the entry ("layers[2]: ...") for an unknown layer, key or
// value, a missing filters, or a conv or pool layer after a dense one.
absl::StatusOr<LayerList> ParseLayers(const Value& layers);

// Each layer's output shape in turn; INVALID_ARGUMENT naming the layer
// ("layers[3] (max_pool 2×2 stride 2): a 2×2 window does not fit a 1×1×64 input:
// the feature map would shrink below 1×1"), or saying that flat data has no image.
absl::StatusOr<std::vector<ConvShape>> ConvShapes(const ConvShape& in, const std::vector<ConvLayer>& layers);

// Learnable parameters of the stack (weights, biases, and γ and β per conv channel
// with batch_norm). REQUIRES: ConvShapes ok.
int64_t ConvParameterCount(const ConvShape& in, const std::vector<ConvLayer>& layers, bool batch_norm);

}  // namespace hpsearch::vocabulary
