// Deterministic train / held-out splits, stratified by class for classification.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace hpsearch::data {

struct Split {
  std::vector<int32_t> kept;  // ascending
  std::vector<int32_t> held;  // ascending
};

// Holds out round(fraction·n_c) rows of every class c (at least one row of each class
// with two or more rows when fraction > 0: vocabulary::HeldOutRows). `labels` empty =
// unstratified.
Split SplitRows(std::span<const int32_t> rows, std::span<const int32_t> labels, double fraction, uint64_t seed);

}  // namespace hpsearch::data
