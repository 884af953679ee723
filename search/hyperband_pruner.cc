#include "search/hyperband_pruner.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/util/rng.h"

namespace hpsearch::search {

HyperbandBrackets::HyperbandBrackets(const Pruning& options, int64_t max_epochs)
    : min_epochs_(options.min_epochs), eta_(options.reduction_factor), max_epochs_(max_epochs) {
  // B = ⌊log_η(R/r)⌋ + 1, by integer steps (no floating-point log at the edges).
  int n = 1;
  for (int64_t e = min_epochs_ * eta_; e <= max_epochs_; e *= eta_) ++n;
  for (int b = 0; b < n; ++b) {
    const int s = n - 1 - b;
    const double size = std::ceil(static_cast<double>(n) * std::pow(static_cast<double>(eta_), s) / (s + 1));
    budgets_.push_back(static_cast<int64_t>(size));
    total_ += budgets_.back();
  }
}

int HyperbandBrackets::BracketOf(uint64_t seed, int64_t index) const {
  int64_t h = static_cast<int64_t>(DeriveSeed(seed ^ 0x48594250ull, static_cast<uint64_t>(index)) %
                                   static_cast<uint64_t>(total_));
  for (int b = 0; b < brackets(); ++b) {
    if (h < budgets_[static_cast<std::size_t>(b)]) return b;
    h -= budgets_[static_cast<std::size_t>(b)];
  }
  return brackets() - 1;
}

HyperbandPruner::HyperbandPruner(HyperbandBrackets plan, uint64_t seed, const std::string& metric, bool maximize)
    : plan_(std::move(plan)), seed_(seed) {
  for (int b = 0; b < plan_.brackets(); ++b) {
    brackets_.push_back(
        std::make_unique<SuccessiveHalving>(plan_.min_epochs(), plan_.eta(), b, plan_.max_epochs(), metric, maximize));
  }
}

std::optional<std::string> HyperbandPruner::Report(int64_t index, int64_t epoch, double value) {
  const int b = plan_.BracketOf(seed_, index);
  auto why = brackets_[static_cast<std::size_t>(b)]->Report(index, epoch, value);
  if (why) absl::StrAppend(&*why, " (bracket ", b, ")");
  return why;
}

}  // namespace hpsearch::search
