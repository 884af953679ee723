#include "server/metrics/labeled_counter.h"

namespace hpsearch::metrics {

void LabeledCounter::Add(const std::vector<std::string>& values, double n) {
  std::lock_guard lock(mu_);
  values_[values] += n;
}

std::map<std::vector<std::string>, double> LabeledCounter::Read() const {
  std::lock_guard lock(mu_);
  return values_;
}

}  // namespace hpsearch::metrics
