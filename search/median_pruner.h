// The median rule (Golovin et al., Vizier; Optuna's MedianPruner): at epoch t — past
// `warmup_epochs`, every `interval` epochs — a trial stops when its best value so far
// is worse than the median of the completed trials' values at t. Nothing is pruned
// until `startup_trials` trials have completed, nor at an epoch no completed trial
// reached. A tie with the median goes on. Pruned and failed trials never enter the
// median.
#pragma once

#include <map>
#include <vector>

#include "search/pruner.h"

namespace hpsearch::search {

class MedianPruner final : public Pruner {
 public:
  MedianPruner(const Pruning& options, std::string metric, bool maximize);

  std::optional<std::string> Report(int64_t index, int64_t epoch, double value) override;
  void Finished(int64_t index, bool completed) override;

 private:
  double Loss(double v) const { return maximize_ ? -v : v; }

  Pruning options_;
  std::string metric_;
  bool maximize_;
  int64_t completed_ = 0;
  std::map<int64_t, std::vector<double>> reference_;     // epoch → completed trials' losses
  std::map<int64_t, std::map<int64_t, double>> curves_;  // running trial → epoch → loss
};

}  // namespace hpsearch::search
