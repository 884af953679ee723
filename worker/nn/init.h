// Weight initialisers (biases are set to a constant, `bias_init`, default 0).
//   zeros           0 (shows the symmetry problem: every unit learns the same thing)
//   small_normal    N(0, 0.01²)
//   large_normal    N(0, 1)
//   xavier_normal   N(0, 1/fan_in)
//   xavier_uniform  U(±√(6/(fan_in + fan_out)))
//   he_normal       N(0, 2/fan_in)
//   he_uniform      U(±√(6/fan_in))
#pragma once

#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/util/rng.h"

namespace hpsearch::nn {

enum class InitKind { kZeros, kSmallNormal, kLargeNormal, kXavierNormal, kXavierUniform, kHeNormal, kHeUniform };

absl::StatusOr<InitKind> ParseInit(std::string_view name);
std::string_view InitName(InitKind kind);

// Fills a fan_in x fan_out weight block.
void InitWeights(InitKind kind, int fan_in, int fan_out, Rng& rng, std::span<float> w);

}  // namespace hpsearch::nn
