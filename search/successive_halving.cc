#include "search/successive_halving.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace hpsearch::search {

SuccessiveHalving::SuccessiveHalving(int64_t min_epochs, int64_t eta, int64_t rate, int64_t max_epochs,
                                     std::string metric, bool maximize)
    : eta_(eta), metric_(std::move(metric)), maximize_(maximize) {
  int64_t epoch = min_epochs;
  for (int64_t i = 0; i < rate && epoch <= max_epochs; ++i) epoch *= eta;
  // A rung is worth judging only when a trial that passes it gets η times the epochs
  // it has had: Hyperband's top rung is the full budget.
  for (; epoch * eta <= max_epochs; epoch *= eta) rungs_.push_back(epoch);
  values_.resize(rungs_.size());
}

std::optional<std::string> SuccessiveHalving::Report(int64_t index, int64_t epoch, double value) {
  const auto it = std::find(rungs_.begin(), rungs_.end(), epoch);
  if (it == rungs_.end()) return std::nullopt;
  auto& rung = values_[static_cast<std::size_t>(it - rungs_.begin())];
  const double loss = maximize_ ? -value : value;
  rung[index] = loss;
  std::vector<double> all;
  all.reserve(rung.size());
  for (const auto& [i, v] : rung) all.push_back(v);
  std::sort(all.begin(), all.end());
  const auto n = static_cast<int64_t>(all.size());
  const int64_t keep = n / eta_;
  const double cutoff = keep == 0 ? all.front() : all[static_cast<std::size_t>(keep - 1)];
  if (loss <= cutoff) return std::nullopt;
  const double shown = maximize_ ? -cutoff : cutoff;
  if (keep == 0) {
    return absl::StrCat("pruned at epoch ", epoch, ": ", metric_, " ", PruneNumber(value), " is not the best of the ",
                        n, " trials at this rung (", PruneNumber(shown), ")");
  }
  return absl::StrCat("pruned at epoch ", epoch, ": ", metric_, " ", PruneNumber(value), " not in the top ", keep,
                      " of ", n, " trials at this rung (cut-off ", PruneNumber(shown), ")");
}

}  // namespace hpsearch::search
