// "1 trial", "2 trials", "0 epochs": a count with its noun, singular for exactly one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hpsearch {

// `plural` defaults to `singular` + "s".
inline std::string Counted(int64_t n, std::string_view singular, std::string_view plural = {}) {
  std::string out = std::to_string(n) + " ";
  if (n == 1) return out.append(singular);
  if (!plural.empty()) return out.append(plural);
  return out.append(singular).append("s");
}

}  // namespace hpsearch
