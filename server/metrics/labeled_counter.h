// A counter per combination of label values (Prometheus counters with labels).
// Thread-safe. Label values come from a small fixed set (statuses, rpc methods and
// codes), never from ids, so the number of series stays bounded.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace hpsearch::metrics {

class LabeledCounter {
 public:
  // `names`: the label names, in the order values are given.
  explicit LabeledCounter(std::vector<std::string> names) : names_(std::move(names)) {}
  void Add(const std::vector<std::string>& values, double n = 1);
  // Makes the series exist at 0, so a rate() over it starts from the first scrape.
  void Touch(const std::vector<std::string>& values) { Add(values, 0); }
  const std::vector<std::string>& names() const { return names_; }
  std::map<std::vector<std::string>, double> Read() const;

 private:
  const std::vector<std::string> names_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, double> values_;
};

}  // namespace hpsearch::metrics
