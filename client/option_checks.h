// Checks of numeric options that say what they want in a sentence: CLI11's own
// PositiveNumber reads "Value 0 not in range 0.000000 to 1797693134862315...".
#pragma once

#include <cstdlib>
#include <string>

#include "CLI/CLI.hpp"

namespace hpsearch::client {

namespace option_checks {

// "" when `text` is a number at least `min` (above it when `strict`), else what is wrong.
inline std::string AtLeast(const std::string& text, double min, bool strict) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return "must be a number (got " + text + ")";
  if (strict ? v > min : v >= min) return "";
  return std::string(strict ? "must be more than " : "must be at least ") + CLI::detail::to_string(min) + " (got " +
         text + ")";
}

}  // namespace option_checks

// > 0 and >= 0, named in help as CLI11 names its own.
inline const CLI::Validator kPositive([](std::string& text) { return option_checks::AtLeast(text, 0, true); },
                                      "POSITIVE");
inline const CLI::Validator kNonNegative([](std::string& text) { return option_checks::AtLeast(text, 0, false); },
                                         "NONNEGATIVE");

}  // namespace hpsearch::client
