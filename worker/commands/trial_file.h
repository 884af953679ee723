// TRIAL.yaml for `hpsearch-worker train`: a `dataset:` block, an optional `seed:`, and
// the trial's settings as top-level keys (as in a sweep spec's `fixed:` block).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/util/value.h"
#include "common/vocabulary/datasets.h"
#include "worker/trainer/trial_config.h"
#include "yaml-cpp/yaml.h"

namespace hpsearch::commands {

struct TrialFile {
  vocabulary::DatasetOptions dataset;
  uint64_t seed = 0;
  Params params;  // the settings, each in its vocabulary type
  trainer::TrialConfig config;
  std::string monitor;  // optional `objective:` metric
  bool maximize = false;
};

// Errors name `source` and the field.
absl::StatusOr<TrialFile> ParseTrialFile(const YAML::Node& doc, const std::string& source);
absl::StatusOr<TrialFile> LoadTrialFile(const std::string& path);

}  // namespace hpsearch::commands
