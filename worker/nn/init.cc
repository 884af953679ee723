#include "worker/nn/init.h"

#include <cmath>

#include "common/util/enum_names.h"

namespace hpsearch::nn {

namespace {
constexpr NameTable<InitKind, 7> kNames = {
    {InitKind::kZeros, "zeros"},
    {InitKind::kSmallNormal, "small_normal"},
    {InitKind::kLargeNormal, "large_normal"},
    {InitKind::kXavierNormal, "xavier_normal"},
    {InitKind::kXavierUniform, "xavier_uniform"},
    {InitKind::kHeNormal, "he_normal"},
    {InitKind::kHeUniform, "he_uniform"},
};
}  // namespace

absl::StatusOr<InitKind> ParseInit(std::string_view name) { return ParseName(kNames, name, "init"); }

std::string_view InitName(InitKind kind) { return NameOf(kNames, kind); }

void InitWeights(InitKind kind, int fan_in, int fan_out, Rng& rng, std::span<float> w) {
  auto normal = [&](double stddev) {
    for (float& v : w) v = static_cast<float>(rng.Normal() * stddev);
  };
  auto uniform = [&](double limit) {
    for (float& v : w) v = static_cast<float>(rng.Uniform(-limit, limit));
  };
  switch (kind) {
    case InitKind::kZeros:
      for (float& v : w) v = 0;
      break;
    case InitKind::kSmallNormal:
      normal(0.01);
      break;
    case InitKind::kLargeNormal:
      normal(1.0);
      break;
    case InitKind::kXavierNormal:
      normal(std::sqrt(1.0 / fan_in));
      break;
    case InitKind::kXavierUniform:
      uniform(std::sqrt(6.0 / (fan_in + fan_out)));
      break;
    case InitKind::kHeNormal:
      normal(std::sqrt(2.0 / fan_in));
      break;
    case InitKind::kHeUniform:
      uniform(std::sqrt(6.0 / fan_in));
      break;
  }
}

}  // namespace hpsearch::nn
