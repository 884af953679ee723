// What training one trial produces.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hpsearch::trainer {

struct EpochRecord {
  int epoch = 0;  // 1-based
  // train_loss, train_accuracy, val_loss, val_accuracy (classification);
  // train_loss, train_mse, train_r2, val_* likewise (regression).
  std::map<std::string, double> metrics;
  double lr = 0;
  double seconds = 0;
  int64_t parameter_count = 0;  // the network's trainable parameters (the same every epoch)
};

// Per hidden layer: mean and standard deviation of the activations on the probe batch.
struct LayerStats {
  int epoch = 0;  // 0 = at initialisation
  std::vector<double> mean, std;
};

enum class TrialOutcome { kCompleted, kFailed, kStopped };

struct TrainResult {
  TrialOutcome outcome = TrialOutcome::kCompleted;
  std::string reason;  // why it failed or stopped
  std::vector<EpochRecord> epochs;
  // Final metrics of the kept weights: train_* of that epoch, val_* and test_*.
  std::map<std::string, double> metrics;
  std::vector<LayerStats> diagnostics;
  int64_t parameter_count = 0;
  int best_epoch = 0;  // the epoch whose weights were kept
  double seconds = 0;
};

}  // namespace hpsearch::trainer
