// Trains one trial: a TrialConfig on a Dataset, one thread, deterministic.
//
// Re-entrant: any number of Train calls may run at once on different threads and
// share the same (read-only) Dataset. Same config + dataset + seed ⇒ identical
// results, whatever else runs.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "worker/data/dataset.h"
#include "worker/nn/step_threads.h"
#include "worker/trainer/train_result.h"
#include "worker/trainer/trial_config.h"

namespace hpsearch::trainer {

struct TrainOptions {
  uint64_t seed = 0;
  // Metric early stopping watches (and that picks the best epoch): the sweep's
  // objective. Default: val_loss (train_loss without a validation split).
  std::string monitor;
  bool maximize = false;
  // Called after every epoch; return false to stop training (the result is then
  // kStopped with the epochs so far).
  std::function<bool(const EpochRecord&, const LayerStats&)> on_epoch;
  // A trial whose estimated memory exceeds this fails before allocating.
  std::size_t memory_limit_bytes = std::size_t{2} << 30;
  // Asked before every training step and evaluation pass: the threads it may use
  // (nn/step_threads.h). None: one thread. The results do not depend on the answer.
  std::function<nn::StepThreads()> step_threads;
};

// Estimated peak bytes of training `config` on `dataset` (excluding the shared
// dataset itself). Errors when the config does not fit the dataset (e.g. hinge loss
// on regression).
absl::StatusOr<std::size_t> EstimateTrialMemory(const TrialConfig& config, const data::Dataset& dataset);

// Never throws; configuration problems and divergence come back as kFailed.
TrainResult Train(const TrialConfig& config, const data::Dataset& dataset, const TrainOptions& options);

// Floating-point operations of one training sample, forward and backward: the
// multiply-adds of the dense products and, on images, of the conv layers (2·k²·C·F
// per output position forward, twice that backward: dW and dX, no dX for a first
// layer). Activations, pooling, the loss and the update are not counted.
double TrainFlopsPerSample(const TrialConfig& config, int inputs, int outputs);
// The same for a network with conv layers on images of shape `image`.
double TrainFlopsPerSample(const TrialConfig& config, const nn::ImageShape& image, int outputs);

}  // namespace hpsearch::trainer
