#include "search/pruner.h"

#include "absl/strings/str_format.h"
#include "search/hyperband_pruner.h"
#include "search/median_pruner.h"
#include "search/successive_halving.h"

namespace hpsearch::search {

void Pruner::Replay(int64_t index, const std::vector<std::pair<int64_t, double>>& curve,
                    std::optional<bool> completed) {
  for (const auto& [epoch, value] : curve) (void)Report(index, epoch, value);
  if (completed) Finished(index, *completed);
}

std::string PruneNumber(double v) { return absl::StrFormat("%.4g", v); }

std::unique_ptr<Pruner> MakePruner(const Spec& spec, const std::string& metric, bool maximize, int64_t max_epochs) {
  const Pruning& p = spec.pruning;
  switch (p.method) {
    case PruningMethod::kNone:
      return nullptr;
    case PruningMethod::kMedian:
      return std::make_unique<MedianPruner>(p, metric, maximize);
    case PruningMethod::kAsha:
      return std::make_unique<SuccessiveHalving>(p.min_epochs, p.reduction_factor, 0, max_epochs, metric, maximize);
    case PruningMethod::kHyperband:
      return std::make_unique<HyperbandPruner>(HyperbandBrackets(p, max_epochs), spec.seed, metric, maximize);
  }
  return nullptr;
}

}  // namespace hpsearch::search
