// A Prometheus histogram: counts of observations at or below each upper bound, their
// sum and their count. Thread-safe; an observation is a few adds under a mutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

namespace hpsearch::metrics {

class Histogram {
 public:
  // Upper bounds, ascending; the +Inf bucket is implicit.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  struct Snapshot {
    std::vector<double> bounds;        // as given, then +Inf
    std::vector<uint64_t> cumulative;  // observations <= each bound
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // per bucket, +Inf last
  double sum_ = 0;
  uint64_t count_ = 0;
};

}  // namespace hpsearch::metrics
