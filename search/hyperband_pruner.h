// Hyperband (Li et al., JMLR 2018) over ASHA, as Optuna's HyperbandPruner: brackets
// b = 0 … ⌊log_η(R/r)⌋ (R: the most epochs a trial trains), bracket b an ASHA whose
// first rung is r·η^b. Trials are dealt to brackets by a hash of (seed, index), in
// proportion to Hyperband's bracket sizes ⌈B·η^s/(s+1)⌉ (s = B − 1 − b, B brackets),
// so most trials meet the aggressive early rungs and a few run long before any
// judgement. Each trial competes only within its bracket, and TPE learns only from
// its bracket (TpeStrategy's group).
#pragma once

#include <memory>
#include <vector>

#include "search/pruner.h"
#include "search/successive_halving.h"

namespace hpsearch::search {

class HyperbandBrackets {
 public:
  HyperbandBrackets(const Pruning& options, int64_t max_epochs);

  int brackets() const { return static_cast<int>(budgets_.size()); }
  // Bracket of trial `index` of a sweep seeded `seed`.
  int BracketOf(uint64_t seed, int64_t index) const;
  int64_t min_epochs() const { return min_epochs_; }
  int64_t eta() const { return eta_; }
  int64_t max_epochs() const { return max_epochs_; }
  const std::vector<int64_t>& budgets() const { return budgets_; }

 private:
  int64_t min_epochs_, eta_, max_epochs_;
  std::vector<int64_t> budgets_;  // per bracket
  int64_t total_ = 0;
};

class HyperbandPruner final : public Pruner {
 public:
  HyperbandPruner(HyperbandBrackets plan, uint64_t seed, const std::string& metric, bool maximize);

  std::optional<std::string> Report(int64_t index, int64_t epoch, double value) override;
  void Finished(int64_t, bool) override {}
  const HyperbandBrackets& plan() const { return plan_; }

 private:
  HyperbandBrackets plan_;
  uint64_t seed_;
  std::vector<std::unique_ptr<SuccessiveHalving>> brackets_;
};

}  // namespace hpsearch::search
