// Semantic validation of a sweep spec. The server runs it on every submission (it
// never trusts the client) and `hpsearch plan` runs it offline. Every error is
// INVALID_ARGUMENT and names the field path: `parameters.lr.min: must be > 0 with
// scale: log`.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "hpsearch/v1/spec.pb.h"
#include "nlohmann/json.hpp"

namespace hpsearch::search {

struct SpecLimits {
  int32_t max_concurrent = 1024;        // cap on parallelism.max_concurrent
  int64_t max_trials = 0;               // per sweep (0 = unlimited)
  int64_t max_network_params = 50'000'000;  // largest network a trial may build
};

absl::Status ValidateSpec(const hpsearch::v1::SweepSpec& spec, const SpecLimits& limits);

// The dataset block as the trainer's JSON form (for data::ParseDatasetOptions).
nlohmann::json DatasetToJson(const hpsearch::v1::DatasetSpec& d);

// Input features and task of a built-in dataset (0 / "" when unknown, e.g. csv).
int KnownInputs(const std::string& dataset, int features_field);
bool KnownRegression(const std::string& dataset);

// The objective metric of a spec after defaults (val_accuracy or val_loss) and goal.
std::string ObjectiveMetric(const hpsearch::v1::SweepSpec& spec);
// "s-" and digits: the form of sweep ids, which names may not take.
bool LooksLikeSweepId(const std::string& name);
// Longest budget.max_duration accepted: 100 years.
inline constexpr double kMaxDurationSeconds = 100.0 * 365 * 86400;
bool ObjectiveMaximized(const hpsearch::v1::SweepSpec& spec);

}  // namespace hpsearch::search
