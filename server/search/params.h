// A trial's parameters: a JSON object of trainer settings (keys sorted, so its dump
// is canonical), and helpers shared by the strategies.
#pragma once

#include <cstdint>
#include <string>

#include "nlohmann/json.hpp"

namespace hpsearch::search {

using Params = nlohmann::json;  // object: name → number | string | bool | list

// The canonical text of a configuration (sorted keys, shortest round-trip numbers).
std::string CanonicalText(const Params& p);
// 64-bit FNV-1a of the canonical text.
uint64_t ConfigHash(const Params& p);

}  // namespace hpsearch::search
