// Asynchronous successive halving (ASHA; Li et al., MLSys 2020), the stopping
// variant Optuna and Ray use: rungs at epochs r·η^(s+k), k = 0, 1, … as long as a
// trial passing the rung has η times as many epochs ahead of it within the most
// epochs a trial trains, R (Hyperband's top rung is R itself: with R = 10, η = 3 the
// rungs are 1 and 3, not 9, where pruning would save one epoch). A trial reaching a rung records its value there and
// goes on only if it is among the top ⌊n/η⌋ of the n values recorded at that rung so far (itself included); while fewer
// than η have reached the rung, only if it is the best so far. Ties with the cut-off go on. Nothing is paused:
// decisions are taken as reports arrive, with whatever the rung holds then.
#pragma once

#include <map>
#include <vector>

#include "search/pruner.h"

namespace hpsearch::search {

class SuccessiveHalving final : public Pruner {
 public:
  // `min_epochs` r, `eta` η, `rate` s (the early-stopping rate: Hyperband's brackets).
  SuccessiveHalving(int64_t min_epochs, int64_t eta, int64_t rate, int64_t max_epochs, std::string metric,
                    bool maximize);

  std::optional<std::string> Report(int64_t index, int64_t epoch, double value) override;
  void Finished(int64_t, bool) override {}

  // The rung epochs, lowest first.
  const std::vector<int64_t>& rungs() const { return rungs_; }

 private:
  int64_t eta_;
  std::string metric_;
  bool maximize_;
  std::vector<int64_t> rungs_;
  std::vector<std::map<int64_t, double>> values_;  // per rung: trial → loss
};

}  // namespace hpsearch::search
