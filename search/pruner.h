// Early stopping ("pruning"): judges each running trial on the sweep's objective at
// every epoch it reports, and says when to stop it for being poor (docs/spec.md,
// "pruning"). Pure bookkeeping, no I/O: the scheduler feeds it reports and tells it
// how trials end; after a restart it replays the stored curves (Replay).
//
// Epochs are 1-based. A trial's report of an epoch it has already reported (a new
// attempt after a lost lease starts again at epoch 1) replaces the old values.
// Not thread-safe: one caller at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "search/spec.h"

namespace hpsearch::search {

class Pruner {
 public:
  virtual ~Pruner() = default;
  // Trial `index` reached `epoch` with the objective at `value`. Returns why it
  // should stop now (e.g. "pruned at epoch 3: val_accuracy 0.71 below the median
  // 0.83 of 5 completed trials"), or nullopt to let it go on.
  virtual std::optional<std::string> Report(int64_t index, int64_t epoch, double value) = 0;
  // The trial ended: completed (its curve becomes a reference) or not (pruned,
  // failed, cancelled).
  virtual void Finished(int64_t index, bool completed) = 0;

  // Rebuilds the state a trial left: its stored curve (epoch, value) in epoch order,
  // and how it ended (nullopt: it is still running).
  void Replay(int64_t index, const std::vector<std::pair<int64_t, double>>& curve, std::optional<bool> completed);
};

// The pruner of a validated spec (nullptr: pruning is off). `metric`/`maximize`:
// the objective; `max_epochs`: the most epochs a trial trains (MaxEpochs).
std::unique_ptr<Pruner> MakePruner(const Spec& spec, const std::string& metric, bool maximize, int64_t max_epochs);

// "0.8312" — values in prune reasons.
std::string PruneNumber(double v);

}  // namespace hpsearch::search
