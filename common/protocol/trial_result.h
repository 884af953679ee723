// How an attempt ends, from the worker's side.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/protocol/epoch_report.h"

namespace hpsearch {

struct TrialResult {
  LeaseKey key;
  std::map<std::string, double> metrics;  // final metrics, test_* included
  int64_t parameter_count = 0;
  std::vector<ActivationStats> diagnostics;  // at init (epoch 0)
};

struct TrialFailure {
  LeaseKey key;
  std::string reason;
  // true: the trial's own fault (diverged, bad config), retrying is pointless;
  // false: the worker is going away — hand the trial back (PENDING).
  bool permanent = true;
};

}  // namespace hpsearch
