#include "worker/trainer/resolved_settings.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "worker/optim/optimizer.h"

namespace hpsearch::trainer {

namespace {

constexpr int kEvalRows = 256;  // evaluation chunk: workspace rows, unless the training split is smaller

}  // namespace

absl::StatusOr<ResolvedSettings> ResolveSettings(const TrialConfig& c, const data::Dataset& d) {
  ResolvedSettings p;
  const bool regression = d.task == data::Task::kRegression;
  p.preprocess = c.preprocess_auto ? (d.is_image() ? data::PreprocessKind::kNone : data::PreprocessKind::kStandardize)
                                   : c.preprocess;
  p.pca_components = c.pca_components > 0 ? std::min(c.pca_components, d.features()) : std::min(d.features(), 50);
  p.loss = c.loss_set ? c.loss : (regression ? nn::LossKind::kMse : nn::LossKind::kCrossEntropy);
  if (regression && p.loss != nn::LossKind::kMse)
    return absl::InvalidArgumentError(absl::StrCat("loss: ", std::string(nn::LossName(p.loss)),
                                                   " needs a classification dataset; ", d.name,
                                                   " is a regression dataset (use mse)"));
  if (regression && c.label_smoothing > 0)
    return absl::InvalidArgumentError("label_smoothing: only applies to classification");
  if ((c.augment.active()) && !d.is_image())
    return absl::InvalidArgumentError(
        absl::StrCat("augment_shift/augment_hflip: dataset ", d.name, " is not image data"));
  const int n_train = static_cast<int>(d.train_rows.size());
  p.batch = c.batch_size == 0 ? n_train : std::min(c.batch_size, n_train);
  p.max_rows = std::max(p.batch, std::min(kEvalRows, std::max<int>(n_train, 1)));
  const bool pca = p.preprocess == data::PreprocessKind::kPca || p.preprocess == data::PreprocessKind::kPcaWhiten;
  p.net.inputs = pca ? p.pca_components : d.features();
  p.net.hidden = c.hidden;
  p.net.outputs = d.outputs();
  p.net.activation = c.activation;
  p.net.batch_norm = c.batch_norm;
  p.net.bn = c.bn;
  p.net.dropout = c.dropout;
  p.net.spatial_dropout = c.spatial_dropout;
  if (!c.features.empty()) {
    const std::string& setting = c.conv_setting;
    if (!d.is_image())
      return absl::InvalidArgumentError(absl::StrCat(setting, ": conv layers need image data; dataset ", d.name,
                                                     " is flat (tabular data, as every CSV is)"));
    if (pca)
      return absl::InvalidArgumentError(absl::StrCat("preprocess: ", std::string(data::PreprocessName(p.preprocess)),
                                                     " flattens the image; the conv layers of ", setting,
                                                     " need none, center, standardize or minmax"));
    if (auto shapes = nn::FeatureShapes(d.image(), c.features); !shapes.ok())
      return absl::InvalidArgumentError(absl::StrCat(setting, ": ", shapes.status().message()));
    p.net.image = d.image();
    p.net.features = c.features;
  }
  return p;
}

std::size_t EstimateBytes(const ResolvedSettings& p, const TrialConfig& c, const data::Dataset& d) {
  const std::size_t params = nn::Network::EstimateBytes(p.net, p.max_rows);
  const std::size_t nparams = nn::Network::ParameterCount(p.net);
  const std::size_t extra_params = nparams * sizeof(float) * (optim::OptimizerStateSlots(c.optimizer.kind) + 1);
  const std::size_t batch =
      static_cast<std::size_t>(p.max_rows) * sizeof(float) * (d.features() + p.net.inputs + 2 * p.net.outputs + 1);
  std::size_t pca = 0;
  if (p.preprocess == data::PreprocessKind::kPca || p.preprocess == data::PreprocessKind::kPcaWhiten)
    pca = static_cast<std::size_t>(d.features()) * d.features() * sizeof(double) * 3;
  return params + extra_params + batch + d.train_rows.size() * sizeof(int32_t) + pca;
}

}  // namespace hpsearch::trainer
