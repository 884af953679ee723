#include "worker/trainer/trial_config.h"

#include "absl/strings/str_cat.h"
#include "common/vocabulary/conv_stack.h"
#include "common/vocabulary/network_size.h"
#include "common/vocabulary/settings.h"

namespace hpsearch::trainer {

namespace {

// REQUIRES: vocabulary::CheckParam(k, v) passed.
absl::Status Apply(TrialConfig& c, const std::string& k, const Value& v) {
  auto f = [&] { return static_cast<float>(v.number()); };
  auto d = [&] { return v.number(); };
  auto i = [&] { return static_cast<int>(v.number()); };
  auto s = [&] { return v.as_string(); };
  if (k == "hidden") {
    c.hidden.clear();
    for (const auto& e : v.as_list()) c.hidden.push_back(static_cast<int>(e.number()));
  } else if (k == "activation") {
    c.activation.kind = *nn::ParseActivation(s());
  } else if (k == "leaky_slope")
    c.activation.leaky_slope = f();
  else if (k == "elu_alpha")
    c.activation.elu_alpha = f();
  else if (k == "init")
    c.init = *nn::ParseInit(s());
  else if (k == "bias_init")
    c.bias_init = f();
  else if (k == "optimizer")
    c.optimizer.kind = *optim::ParseOptimizer(s());
  else if (k == "lr")
    c.lr = d();
  else if (k == "momentum")
    c.optimizer.momentum = d();
  else if (k == "nesterov")
    c.optimizer.nesterov = v.as_bool();
  else if (k == "rho")
    c.optimizer.rho = d();
  else if (k == "eps")
    c.optimizer.eps = d();
  else if (k == "beta1")
    c.optimizer.beta1 = d();
  else if (k == "beta2")
    c.optimizer.beta2 = d();
  else if (k == "schedule")
    c.schedule.kind = *optim::ParseSchedule(s());
  else if (k == "decay_rate")
    c.schedule.decay_rate = d();
  else if (k == "decay_epochs")
    c.schedule.decay_epochs = i();
  else if (k == "lr_min")
    c.schedule.lr_min = d();
  else if (k == "batch_size")
    c.batch_size = i();
  else if (k == "epochs")
    c.epochs = i();
  else if (k == "l2")
    c.regularizer.l2 = f();
  else if (k == "l1")
    c.regularizer.l1 = f();
  else if (k == "dropout")
    c.dropout = f();
  else if (k == "spatial_dropout")
    c.spatial_dropout = f();
  else if (k == "batch_norm")
    c.batch_norm = v.as_bool();
  else if (k == "bn_momentum")
    c.bn.momentum = f();
  else if (k == "early_stopping")
    c.early_stopping = v.as_bool();
  else if (k == "patience")
    c.patience = i();
  else if (k == "label_smoothing")
    c.label_smoothing = f();
  else if (k == "input_noise")
    c.input_noise = f();
  else if (k == "augment_shift")
    c.augment.shift = i();
  else if (k == "augment_hflip")
    c.augment.hflip = v.as_bool();
  else if (k == "loss") {
    c.loss = *nn::ParseLoss(s());
    c.loss_set = true;
  } else if (k == "preprocess_target") {
    c.standardize_target = s() == "standardize";
  } else if (k == "preprocess") {
    c.preprocess_auto = s() == "auto";
    if (!c.preprocess_auto) c.preprocess = *data::ParsePreprocess(s());
  } else if (k == "pca_components")
    c.pca_components = i();
  return absl::OkStatus();
}

nn::FeatureLayer ToFeature(const vocabulary::ConvLayer& l) {
  using Kind = vocabulary::ConvLayer::Kind;
  if (l.kind == Kind::kConv) return nn::FeatureLayer::Conv({l.filters, l.kernel, l.stride, l.padding, l.bias});
  return nn::FeatureLayer::Pool(
      {l.kind == Kind::kMaxPool ? nn::PoolKind::kMax : nn::PoolKind::kAverage, l.kernel, l.stride});
}

}  // namespace

absl::StatusOr<TrialConfig> ParseTrialConfig(const Params& params) {
  TrialConfig c;
  for (const auto& [k, v] : params) {
    if (auto st = vocabulary::CheckParam(k, v); !st.ok())
      return absl::InvalidArgumentError(absl::StrCat(k, ": ", st.message()));
    if (auto st = Apply(c, k, v); !st.ok()) return st;
  }
  if (params.contains("hidden") && (params.contains("hidden_layers") || params.contains("hidden_units")))
    return absl::InvalidArgumentError(
        absl::StrCat(params.contains("hidden_layers") ? "hidden_layers" : "hidden_units",
                     ": replaces hidden (hidden_layers × hidden_units); set one or the other"));
  if (params.contains(vocabulary::kLayersSetting)) {
    for (const char* other : {"hidden", "hidden_layers", "hidden_units", "conv_blocks"}) {
      if (params.contains(other))
        return absl::InvalidArgumentError(
            absl::StrCat("layers: replaces ", other, " (the list is the whole network); set one or the other"));
    }
  }
  c.conv_setting = vocabulary::ConvSettingOf(params);
  const std::vector<int64_t> widths = vocabulary::HiddenWidths(params);
  c.hidden.assign(widths.begin(), widths.end());
  for (const auto& l : vocabulary::ConvLayersFromSettings(params)) c.features.push_back(ToFeature(l));
  if (c.loss == nn::LossKind::kHinge && c.label_smoothing > 0)
    return absl::InvalidArgumentError("label_smoothing: does not apply to loss hinge");
  if (c.schedule.kind == optim::ScheduleKind::kCosine && c.schedule.lr_min > c.LearningRate())
    return absl::InvalidArgumentError("lr_min: must not exceed lr");
  return c;
}

}  // namespace hpsearch::trainer
