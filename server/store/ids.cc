#include "server/store/ids.h"

#include "absl/strings/str_format.h"

namespace hpsearch::store {

std::string SweepPublicId(int64_t rowid) { return absl::StrFormat("s-%06d", rowid); }

std::optional<int64_t> ParseSweepId(const std::string& text) {
  if (text.size() < 3 || text.compare(0, 2, "s-") != 0 || text.size() > 20) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 2; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

}  // namespace hpsearch::store
