#include "search/grid_strategy.h"

#include <algorithm>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hpsearch::search {

namespace {
constexpr uint64_t kSaturated = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

uint64_t MulSat(uint64_t a, uint64_t b) {
  unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return p > kSaturated ? kSaturated : static_cast<uint64_t>(p);
}
uint64_t AddSat(uint64_t a, uint64_t b) { return a + b > kSaturated || a + b < a ? kSaturated : a + b; }
}  // namespace

GridStrategy::GridStrategy(SearchSpace space, int64_t limit) : space_(std::move(space)), limit_(limit) {
  BuildBlocks();
}

void GridStrategy::BuildBlocks() {
  const auto& dims = space_.dims();
  std::vector<int> parents;
  for (int d : space_.order())
    if (dims[d].is_parent) parents.push_back(d);
  // Depth-first over the parents' values (parents ordered before their children); an
  // inactive parent contributes a single "absent" branch.
  Params chosen;
  Block current;
  std::function<void(std::size_t)> walk = [&](std::size_t k) {
    if (k == parents.size()) {
      Block b = current;
      b.size = 1;
      for (int d : space_.order()) {
        if (dims[d].is_parent || !space_.Active(d, chosen)) continue;
        b.free.push_back(d);
        b.size = MulSat(b.size, dims[d].GridSize());
      }
      blocks_.push_back(std::move(b));
      return;
    }
    const int d = parents[k];
    if (!space_.Active(d, chosen)) {
      walk(k + 1);
      return;
    }
    for (int v = 0; v < static_cast<int>(dims[d].GridSize()); ++v) {
      chosen[dims[d].name] = dims[d].GridValue(static_cast<uint64_t>(v));
      current.parents.emplace_back(d, v);
      walk(k + 1);
      current.parents.pop_back();
      chosen.erase(dims[d].name);
    }
  };
  walk(0);
  for (const auto& b : blocks_) {
    starts_.push_back(size_);
    size_ = AddSat(size_, b.size);
  }
}

namespace {

// 1234567 → "1,234,567"; from 10^15 on, "1.2e+18" (saturated sizes read "at least").
std::string Count(uint64_t n) {
  if (n >= kSaturated) return "more than 9.2e+18";
  if (n >= 1'000'000'000'000'000ull) return absl::StrFormat("%.1e", static_cast<double>(n));
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string GridStrategy::note() const {
  if (limit_ <= 0 || static_cast<uint64_t>(limit_) >= size_) return "";
  return absl::StrCat("the first ", Count(static_cast<uint64_t>(limit_)), " of ", Count(size_),
                      " grid points (budget.max_trials); a random search samples the whole space");
}

int64_t GridStrategy::total() const {
  const auto n = static_cast<int64_t>(size_);
  return limit_ > 0 ? std::min(n, limit_) : n;
}

Params GridStrategy::At(uint64_t i) const {
  const auto it = std::upper_bound(starts_.begin(), starts_.end(), i);
  const Block& b = blocks_[static_cast<std::size_t>(it - starts_.begin() - 1)];
  uint64_t rest = i - *(it - 1);
  Params p = space_.fixed();
  const auto& dims = space_.dims();
  for (const auto& [d, v] : b.parents) p[dims[d].name] = dims[d].GridValue(static_cast<uint64_t>(v));
  // Mixed radix: the last free dimension varies fastest.
  std::vector<uint64_t> digits(b.free.size());
  for (std::size_t k = b.free.size(); k-- > 0;) {
    const uint64_t n = dims[b.free[k]].GridSize();
    digits[k] = rest % n;
    rest /= n;
  }
  for (std::size_t k = 0; k < b.free.size(); ++k) p[dims[b.free[k]].name] = dims[b.free[k]].GridValue(digits[k]);
  return p;
}

std::optional<Params> GridStrategy::Next() {
  if (next_ >= static_cast<uint64_t>(total())) return std::nullopt;
  return At(next_++);
}

}  // namespace hpsearch::search
