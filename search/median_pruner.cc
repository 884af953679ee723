#include "search/median_pruner.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace hpsearch::search {

MedianPruner::MedianPruner(const Pruning& options, std::string metric, bool maximize)
    : options_(options), metric_(std::move(metric)), maximize_(maximize) {}

std::optional<std::string> MedianPruner::Report(int64_t index, int64_t epoch, double value) {
  auto& curve = curves_[index];
  curve.erase(curve.lower_bound(epoch), curve.end());  // a new attempt starts over
  curve[epoch] = Loss(value);
  if (completed_ < options_.startup_trials || completed_ == 0) return std::nullopt;
  if (epoch <= options_.warmup_epochs || (epoch - options_.warmup_epochs) % options_.interval != 0) return std::nullopt;
  auto it = reference_.find(epoch);
  if (it == reference_.end() || it->second.empty()) return std::nullopt;
  std::vector<double> v = it->second;
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double median = v[mid];
  if (v.size() % 2 == 0)
    median = 0.5 * (median + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)));
  double best = curve.begin()->second;
  for (const auto& [e, loss] : curve) best = std::min(best, loss);
  if (!(best > median)) return std::nullopt;
  return absl::StrCat("pruned at epoch ", epoch, ": best ", metric_, " ", PruneNumber(Loss(best)),
                      maximize_ ? " below" : " above", " the median ", PruneNumber(Loss(median)), " of ", v.size(),
                      " completed trials at that epoch");
}

void MedianPruner::Finished(int64_t index, bool completed) {
  auto it = curves_.find(index);
  if (completed) {
    ++completed_;
    if (it != curves_.end()) {
      for (const auto& [epoch, loss] : it->second) reference_[epoch].push_back(loss);
    }
  }
  if (it != curves_.end()) curves_.erase(it);
}

}  // namespace hpsearch::search
