// Name tables for the trainer's enums: one table per enum, and the two look-ups
// every Parse*/…Name pair needs.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace hpsearch {

template <class E, std::size_t N>
using NameTable = std::pair<E, std::string_view>[N];

// The enum value named `name`; INVALID_ARGUMENT "unknown <what> '<name>'" otherwise.
template <class E, std::size_t N>
absl::StatusOr<E> ParseName(const NameTable<E, N>& table, std::string_view name, const char* what) {
  for (const auto& [value, n] : table)
    if (n == name) return value;
  return absl::InvalidArgumentError(absl::StrCat("unknown ", what, " '", std::string(name), "'"));
}

template <class E, std::size_t N>
std::string_view NameOf(const NameTable<E, N>& table, E value) {
  for (const auto& [v, n] : table)
    if (v == value) return n;
  return "?";
}

}  // namespace hpsearch
