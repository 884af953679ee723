// Semantic validation of a sweep spec. The server runs it on every submission (it
// never trusts the client) and `hpsearch plan` runs it offline. Every error is
// INVALID_ARGUMENT and names the field path: `parameters.lr.min: must be > 0 with
// scale: log`; its message is printable (util/printable.h) and at most 2,000 bytes,
// whatever the spec holds.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "search/spec.h"

namespace hpsearch::search {

struct SpecLimits {
  int32_t max_concurrent = 1024;            // cap on parallelism.max_concurrent
  int64_t max_trials = 0;                   // per sweep (0 = unlimited)
  int64_t max_network_params = 50'000'000;  // largest network a trial may build
};

absl::Status ValidateSpec(const Spec& spec, const SpecLimits& limits);

// The objective metric of a spec after defaults (val_accuracy or val_loss), and
// whether it is maximised (the goal, else the metric's natural direction).
std::string ObjectiveMetric(const Spec& spec);
bool ObjectiveMaximized(const Spec& spec);

// "grid", "random", "tpe" or "nsga2".
std::string MethodName(Method m);

// The most epochs any trial of the spec trains (`epochs` fixed, or the largest
// searched value; otherwise the built-in trainer's default 10, or for a command
// kMaxCommandEpochs).
int64_t MaxEpochs(const Spec& spec);
inline constexpr int64_t kDefaultEpochs = 10;

// Longest budget.max_duration accepted: 100 years.
inline constexpr double kMaxDurationSeconds = 100.0 * 365 * 86400;

}  // namespace hpsearch::search
