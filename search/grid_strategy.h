// Grid search: the cartesian product of every active combination, enumerated lazily
// by index. A conditional parameter multiplies only the part of the grid where it is
// active. Sizes are computed with overflow checks (saturating at INT64_MAX); no point
// is materialised until asked for (each dimension computes its k-th point from k), so
// a 10^12-point grid of 10^7-point dimensions costs a few kilobytes. The blocks (one
// per assignment of the `when` parents) are built up front: the validator bounds
// their number (kMaxConditionCombinations).
#pragma once

#include <vector>

#include "search/strategy.h"

namespace hpsearch::search {

class GridStrategy final : public Strategy {
 public:
  // `limit`: budget.max_trials (0 = the whole grid).
  GridStrategy(SearchSpace space, int64_t limit);

  int64_t total() const override;
  // A grid cut by budget.max_trials says so: "the first 6 of 1,000,000,000 grid points ...".
  std::string note() const override;
  std::optional<Params> Next() override;
  void Skip(int64_t n) override { next_ = std::min<uint64_t>(size_, next_ + static_cast<uint64_t>(n)); }

  // The number of points in the grid (saturated).
  uint64_t size() const { return size_; }
  // Point i (0 <= i < size()).
  Params At(uint64_t i) const;

 private:
  // A block: one assignment of the condition parents and the free dimensions it activates.
  struct Block {
    std::vector<std::pair<int, int>> parents;  // (dim, value index); inactive parents absent
    std::vector<int> free;                     // active non-parent dims, in order
    uint64_t size = 1;
  };
  void BuildBlocks();

  SearchSpace space_;
  std::vector<Block> blocks_;
  std::vector<uint64_t> starts_;  // first index of each block
  uint64_t size_ = 0;
  int64_t limit_;
  uint64_t next_ = 0;
};

}  // namespace hpsearch::search
