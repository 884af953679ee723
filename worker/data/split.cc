#include "worker/data/split.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "common/util/rng.h"
#include "common/vocabulary/datasets.h"

namespace hpsearch::data {

Split SplitRows(std::span<const int32_t> rows, std::span<const int32_t> labels, double fraction, uint64_t seed) {
  std::map<int32_t, std::vector<int32_t>> groups;
  for (int32_t r : rows) groups[labels.empty() ? 0 : labels[r]].push_back(r);
  Split s;
  Rng rng(DeriveSeed(seed, 0x5b117));
  for (auto& [label, g] : groups) {
    // Fisher–Yates with our own generator: identical on every platform.
    for (std::size_t i = g.size(); i > 1; --i) std::swap(g[i - 1], g[rng.Below(i)]);
    const std::size_t take = vocabulary::HeldOutRows(fraction, g.size());
    s.held.insert(s.held.end(), g.begin(), g.begin() + static_cast<std::ptrdiff_t>(take));
    s.kept.insert(s.kept.end(), g.begin() + static_cast<std::ptrdiff_t>(take), g.end());
  }
  std::sort(s.kept.begin(), s.kept.end());
  std::sort(s.held.begin(), s.held.end());
  return s;
}

}  // namespace hpsearch::data
