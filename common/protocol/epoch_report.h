// What a running trial reports after each epoch, and the answer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/protocol/lease.h"

namespace hpsearch {

struct EpochMetrics {
  int32_t epoch = 0;  // 1-based
  // train_loss, train_accuracy, val_loss, val_accuracy (classification) or
  // train_loss, train_mse, train_r2, val_loss, val_mse, val_r2 (regression).
  std::map<std::string, double> metrics;
  double lr = 0;       // learning rate used in this epoch
  double seconds = 0;  // wall time of the epoch
};

// Per-hidden-layer activation statistics on a fixed probe batch (epoch 0: at init).
struct ActivationStats {
  int32_t epoch = 0;
  std::vector<double> mean, std;
};

// What a command trial's program wrote, shipped to the server as it comes (the
// server keeps the last 1 MiB of each stream of each attempt: `hpsearch logs`).
struct OutputChunk {
  enum class Stream { kStdout = 1, kStderr = 2 };
  Stream stream = Stream::kStdout;
  uint64_t offset = 0;  // where `bytes` start in all the stream has written (bytes before may be skipped)
  std::string bytes;
  friend bool operator==(const OutputChunk&, const OutputChunk&) = default;
};

struct EpochReport {
  LeaseKey key;
  std::optional<EpochMetrics> epoch;  // none: a bare heartbeat
  std::optional<ActivationStats> diagnostics;
  std::vector<OutputChunk> output;  // a command trial's output since the last report
  int64_t parameter_count = 0;      // the trial's network, when known (0: not)
};

struct ReportReply {
  bool stop = false;  // cancelled, pruned or failed: stop training, report nothing more
  std::string reason;
  int64_t expires_ms = 0;  // unix ms (server clock)
  int64_t lease_ms = 0;    // as in Lease
};

}  // namespace hpsearch
