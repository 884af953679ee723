// What a built-in trial's network with conv layers will be, layer by layer: each
// layer's output shape and parameters, and the total, as `hpsearch plan` shows it.
// From the spec alone (the dataset's known image shape and the trial's settings),
// with the formulas the validator and the trainer share (common/vocabulary/
// conv_stack.h, network_size.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/util/value.h"
#include "common/vocabulary/datasets.h"

namespace hpsearch::client {

struct LayerRow {
  std::string layer;  // "conv 32 3×3 stride 1 padding 1", "flatten", "dense 128"
  std::string shape;  // output: "28×28×32" (height × width × channels), or a width
  int64_t parameters = 0;
};

struct NetworkPreview {
  std::vector<LayerRow> layers;  // from the input to the output layer
  int64_t parameters = 0;
};

// The network of a trial whose settings are `settings` (the spec's fixed settings
// with the trial's values over them) on `dataset`; none without conv layers, or when
// the dataset's image shape or outputs are not known before it is read (a CSV).
// REQUIRES: the spec validated.
std::optional<NetworkPreview> PreviewConvNetwork(const vocabulary::DatasetOptions& dataset, const Params& settings);

}  // namespace hpsearch::client
