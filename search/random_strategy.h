// Random search: every active parameter drawn independently — uniform, log-uniform
// (`scale: log`), integer, quantised (`step`) or categorical. Candidate j is drawn
// from a generator seeded by (seed, j) alone; duplicates of earlier configurations
// are skipped, so trial i is the i-th distinct candidate. A finite space smaller than
// the budget runs every point once (in a seeded random order) and says so.
#pragma once

#include <unordered_set>

#include "search/grid_strategy.h"
#include "search/strategy.h"

namespace hpsearch::search {

class RandomStrategy final : public Strategy {
 public:
  RandomStrategy(SearchSpace space, uint64_t seed, int64_t max_trials);

  int64_t total() const override { return total_; }
  std::optional<Params> Next() override;
  std::string note() const override { return note_; }

 private:
  Params Draw(uint64_t candidate) const;

  SearchSpace space_;
  uint64_t seed_;
  int64_t total_;
  int64_t emitted_ = 0;
  uint64_t candidate_ = 0;
  std::unordered_set<uint64_t> seen_;
  // Set when the whole (finite, small) space is enumerated instead of sampled.
  std::unique_ptr<GridStrategy> all_;
  std::vector<uint64_t> permutation_;
  std::string note_;
};

}  // namespace hpsearch::search
