// A trial's settings resolved against its dataset: what "auto" and the defaults
// become there (preprocessing, loss, batch size, the network's shape), checked to
// fit it, and the memory training with them would take.
#pragma once

#include <cstddef>

#include "absl/status/statusor.h"
#include "worker/data/dataset.h"
#include "worker/data/preprocessor.h"
#include "worker/nn/loss.h"
#include "worker/nn/network.h"
#include "worker/trainer/trial_config.h"

namespace hpsearch::trainer {

struct ResolvedSettings {
  data::PreprocessKind preprocess;
  int pca_components;
  nn::LossKind loss;
  int batch;     // rows per training step
  int max_rows;  // workspace rows
  nn::NetworkConfig net;
};

// INVALID_ARGUMENT when the config does not fit the dataset (e.g. hinge loss on
// regression, conv layers on tabular data).
absl::StatusOr<ResolvedSettings> ResolveSettings(const TrialConfig& config, const data::Dataset& dataset);

// Estimated peak bytes of training with `settings` (excluding the shared dataset
// itself): the network, the optimizer's state, a batch, and PCA's matrices.
std::size_t EstimateBytes(const ResolvedSettings& settings, const TrialConfig& config, const data::Dataset& dataset);

}  // namespace hpsearch::trainer
