// One trial's settings, parsed from its parameters (vocabulary names → values).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/util/value.h"
#include "worker/data/augment.h"
#include "worker/data/preprocessor.h"
#include "worker/nn/activation.h"
#include "worker/nn/batch_norm.h"
#include "worker/nn/feature_layer.h"
#include "worker/nn/init.h"
#include "worker/nn/loss.h"
#include "worker/nn/regularizer.h"
#include "worker/optim/optimizer.h"
#include "worker/optim/schedule.h"

namespace hpsearch::trainer {

struct TrialConfig {
  std::vector<int> hidden = {128};
  // Convolutional layers before the dense ones (conv_blocks and its knobs;
  // common/vocabulary/conv_stack.h), image data only: checked against the dataset's
  // shape when the trial starts.
  std::vector<nn::FeatureLayer> features;
  std::string conv_setting = "conv_blocks";  // the setting that made them, for messages
  nn::Activation activation;
  nn::InitKind init = nn::InitKind::kHeNormal;
  float bias_init = 0;
  optim::OptimizerConfig optimizer{optim::OptimizerKind::kAdam};
  std::optional<double> lr;  // none: the optimizer's default
  optim::Schedule schedule;
  int batch_size = 64;  // 0 = full batch
  int epochs = 10;
  nn::Regularizer regularizer;
  float dropout = 0;
  float spatial_dropout = 0;  // conv layers: whole channels, in place of dropout there
  bool batch_norm = false;
  nn::BatchNormConfig bn;
  bool early_stopping = false;
  int patience = 5;
  float label_smoothing = 0;
  float input_noise = 0;
  data::Augment augment;
  bool loss_set = false;
  nn::LossKind loss = nn::LossKind::kCrossEntropy;
  bool preprocess_auto = true;
  // Regression: the network learns (t − μ)/σ of the training split's targets; losses
  // and errors are reported in the target's own units.
  bool standardize_target = true;
  data::PreprocessKind preprocess = data::PreprocessKind::kNone;
  int pca_components = 0;  // 0: min(features, 50)

  double LearningRate() const { return lr.value_or(optim::DefaultLearningRate(optimizer.kind)); }
};

// Every key must be a vocabulary name with a valid value; the error names the key
// (e.g. "lr: must be in (0, 1000], got -1"). Cross-field rules are checked too.
absl::StatusOr<TrialConfig> ParseTrialConfig(const Params& params);

}  // namespace hpsearch::trainer
