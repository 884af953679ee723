#include "server/metrics/histogram.h"

#include <algorithm>
#include <limits>

namespace hpsearch::metrics {

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double v) {
  // The first bucket whose bound is >= v (le: "less than or equal").
  const size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  std::lock_guard lock(mu_);
  counts_[i] += 1;
  sum_ += v;
  count_ += 1;
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.bounds = bounds_;
  s.bounds.push_back(std::numeric_limits<double>::infinity());
  std::lock_guard lock(mu_);
  uint64_t running = 0;
  for (uint64_t c : counts_) s.cumulative.push_back(running += c);
  s.sum = sum_;
  s.count = count_;
  return s;
}

}  // namespace hpsearch::metrics
