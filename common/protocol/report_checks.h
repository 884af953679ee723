// What a worker may report, checked field by field before anything is kept: the
// scheduler runs these on every report, completion and failure, whichever worker
// (embedded slot, remote process or a hostile client of WorkerService) sent it. A
// report that breaks a rule is refused whole with INVALID_ARGUMENT naming the field;
// nothing of it is stored.
//
// Non-finite numbers are not checked here: a metric, learning rate or activation
// statistic that is NaN or ±inf is the trial diverging (it fails, with its finite
// epochs kept), not a malformed report.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "common/protocol/epoch_report.h"
#include "common/protocol/trial_result.h"

namespace hpsearch {

inline constexpr int kMaxMetricName = 64;  // bytes: [A-Za-z0-9_.]{1,64}
inline constexpr int kMaxMetricsPerReport = 64;
inline constexpr int kMaxActivationLayers = 256;  // entries of ActivationStats.mean/std
inline constexpr int64_t kMaxParameterCount = 1'000'000'000'000;
inline constexpr int64_t kMaxReasonBytes = 2000;  // longer failure reasons are cut, not refused
inline constexpr int kMaxOutputChunks = 4;        // a command trial's output chunks per report
inline constexpr std::size_t kMaxOutputChunkBytes = 64 * 1024;

// `name` as a metric name: 1-64 characters of [A-Za-z0-9_.].
bool ValidMetricName(const std::string& name);

// Names and count of a metric map; `field` prefixes the message ("epoch.metrics").
absl::Status CheckMetrics(const std::map<std::string, double>& metrics, const std::string& field);

// An epoch report of a trial that runs `max_epoch` epochs: the epoch in
// 1..max_epoch, its metrics, lr >= 0 (or non-finite), seconds finite and >= 0, the
// diagnostics' epoch in 0..max_epoch with as many means as deviations.
absl::Status CheckEpochReport(const EpochReport& report, int64_t max_epoch);

// A completion: its final metrics, the parameter count in 0..kMaxParameterCount,
// at most max_epoch + 1 diagnostics (epochs 0..max_epoch).
absl::Status CheckTrialResult(const TrialResult& result, int64_t max_epoch);

// The first non-finite activation statistic, described for a failure reason
// ("activation std of layer 2 is nan at epoch 3"), or "" when all are finite.
std::string NonFiniteActivation(const ActivationStats& stats);

}  // namespace hpsearch
