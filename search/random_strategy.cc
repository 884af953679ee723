#include "search/random_strategy.h"

#include "absl/strings/str_cat.h"
#include "common/util/counted.h"

namespace hpsearch::search {

RandomStrategy::RandomStrategy(SearchSpace space, uint64_t seed, int64_t max_trials)
    : space_(std::move(space)), seed_(seed), total_(max_trials) {
  bool finite = true;
  for (const auto& d : space_.dims()) finite = finite && d.Discrete();
  if (!finite) return;
  auto grid = std::make_unique<GridStrategy>(space_, 0);
  if (grid->size() > static_cast<uint64_t>(max_trials)) return;
  // The space has no more points than the budget: run each once, in a seeded order.
  total_ = static_cast<int64_t>(grid->size());
  permutation_.resize(grid->size());
  for (uint64_t i = 0; i < grid->size(); ++i) permutation_[i] = i;
  Rng rng(DeriveSeed(seed, 0x9e3779b9));
  for (std::size_t i = permutation_.size(); i > 1; --i) std::swap(permutation_[i - 1], permutation_[rng.Below(i)]);
  if (total_ < max_trials)
    note_ = absl::StrCat("the search space has only ", Counted(total_, "distinct configuration"), "; running ",
                         total_ == 1 ? "it" : "each", " once instead of ", Counted(max_trials, "trial"));
  all_ = std::move(grid);
}

Params RandomStrategy::Draw(uint64_t candidate) const {
  Rng rng(DeriveSeed(seed_, candidate));
  return space_.Draw(rng);
}

std::optional<Params> RandomStrategy::Next() {
  if (emitted_ >= total_) return std::nullopt;
  if (all_) return all_->At(permutation_[emitted_++]);
  for (int dup = 0; dup < kMaxDuplicateDraws; ++dup) {
    Params p = Draw(candidate_++);
    if (seen_.insert(ConfigHash(p)).second) {
      ++emitted_;
      return p;
    }
  }
  note_ = ExhaustedNote(emitted_);
  total_ = emitted_;
  return std::nullopt;
}

}  // namespace hpsearch::search
