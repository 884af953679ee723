// TRIAL.yaml for `hpsearch-worker train`: a `dataset:` block, an optional `seed:`, and
// the trial's settings as top-level keys (as in a sweep spec's `fixed:` block).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "data/dataset_options.h"
#include "nlohmann/json.hpp"
#include "trainer/trial_config.h"

namespace hpsearch::runtime {

struct TrialFile {
  data::DatasetOptions dataset;
  uint64_t seed = 0;
  nlohmann::json params;  // the settings as written
  trainer::TrialConfig config;
  std::string monitor;  // optional `objective:` metric
  bool maximize = false;
};

absl::StatusOr<TrialFile> ParseTrialFile(const nlohmann::json& doc, const std::string& source);
absl::StatusOr<TrialFile> LoadTrialFile(const std::string& path);

// Default goal of a metric: accuracy and r2 are maximised, everything else minimised.
bool MetricMaximized(const std::string& metric);

}  // namespace hpsearch::runtime
