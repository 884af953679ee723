#include "nn/init.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace hpsearch::nn {

namespace {
constexpr std::pair<InitKind, std::string_view> kNames[] = {
    {InitKind::kZeros, "zeros"},
    {InitKind::kSmallNormal, "small_normal"},
    {InitKind::kLargeNormal, "large_normal"},
    {InitKind::kXavierNormal, "xavier_normal"},
    {InitKind::kXavierUniform, "xavier_uniform"},
    {InitKind::kHeNormal, "he_normal"},
    {InitKind::kHeUniform, "he_uniform"},
};
}  // namespace

absl::StatusOr<InitKind> ParseInit(std::string_view name) {
  for (const auto& [kind, n] : kNames)
    if (n == name) return kind;
  return absl::InvalidArgumentError(absl::StrCat("unknown init '", std::string(name), "'"));
}

std::string_view InitName(InitKind kind) {
  for (const auto& [k, n] : kNames)
    if (k == kind) return n;
  return "?";
}

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
    case InitKind::kSmallNormal: normal(0.01); break;
    case InitKind::kLargeNormal: normal(1.0); break;
    case InitKind::kXavierNormal: normal(std::sqrt(1.0 / fan_in)); break;
    case InitKind::kXavierUniform: uniform(std::sqrt(6.0 / (fan_in + fan_out))); break;
    case InitKind::kHeNormal: normal(std::sqrt(2.0 / fan_in)); break;
    case InitKind::kHeUniform: uniform(std::sqrt(6.0 / fan_in)); break;
  }
}

}  // namespace hpsearch::nn
