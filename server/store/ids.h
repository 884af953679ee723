// Sweep ids: the public "s-000042" form of a sweep's row id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hpsearch::store {

std::string SweepPublicId(int64_t rowid);
// "s-000042" → 42; nullopt for anything else.
std::optional<int64_t> ParseSweepId(const std::string& text);

}  // namespace hpsearch::store
