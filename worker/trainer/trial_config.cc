#include "worker/trainer/trial_config.h"

#include <map>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/vocabulary/conv_stack.h"
#include "common/vocabulary/network_size.h"
#include "common/vocabulary/settings.h"

namespace hpsearch::trainer {

namespace {

float F(const Value& v) { return static_cast<float>(v.number()); }
int I(const Value& v) { return static_cast<int>(v.number()); }

using Setter = void (*)(TrialConfig&, const Value&);

// Where each trainer setting goes in a TrialConfig. REQUIRES of a setter:
// vocabulary::CheckParam(name, v) passed.
const std::map<std::string_view, Setter>& Setters() {
  static const std::map<std::string_view, Setter> setters = {
      {"hidden",
       [](TrialConfig& c, const Value& v) {
         c.hidden.clear();
         for (const auto& e : v.as_list()) c.hidden.push_back(static_cast<int>(e.number()));
       }},
      {"activation", [](TrialConfig& c, const Value& v) { c.activation.kind = *nn::ParseActivation(v.as_string()); }},
      {"leaky_slope", [](TrialConfig& c, const Value& v) { c.activation.leaky_slope = F(v); }},
      {"elu_alpha", [](TrialConfig& c, const Value& v) { c.activation.elu_alpha = F(v); }},
      {"init", [](TrialConfig& c, const Value& v) { c.init = *nn::ParseInit(v.as_string()); }},
      {"bias_init", [](TrialConfig& c, const Value& v) { c.bias_init = F(v); }},
      {"optimizer", [](TrialConfig& c, const Value& v) { c.optimizer.kind = *optim::ParseOptimizer(v.as_string()); }},
      {"lr", [](TrialConfig& c, const Value& v) { c.lr = v.number(); }},
      {"momentum", [](TrialConfig& c, const Value& v) { c.optimizer.momentum = v.number(); }},
      {"nesterov", [](TrialConfig& c, const Value& v) { c.optimizer.nesterov = v.as_bool(); }},
      {"rho", [](TrialConfig& c, const Value& v) { c.optimizer.rho = v.number(); }},
      {"eps", [](TrialConfig& c, const Value& v) { c.optimizer.eps = v.number(); }},
      {"beta1", [](TrialConfig& c, const Value& v) { c.optimizer.beta1 = v.number(); }},
      {"beta2", [](TrialConfig& c, const Value& v) { c.optimizer.beta2 = v.number(); }},
      {"schedule", [](TrialConfig& c, const Value& v) { c.schedule.kind = *optim::ParseSchedule(v.as_string()); }},
      {"decay_rate", [](TrialConfig& c, const Value& v) { c.schedule.decay_rate = v.number(); }},
      {"decay_epochs", [](TrialConfig& c, const Value& v) { c.schedule.decay_epochs = I(v); }},
      {"lr_min", [](TrialConfig& c, const Value& v) { c.schedule.lr_min = v.number(); }},
      {"batch_size", [](TrialConfig& c, const Value& v) { c.batch_size = I(v); }},
      {"epochs", [](TrialConfig& c, const Value& v) { c.epochs = I(v); }},
      {"l2", [](TrialConfig& c, const Value& v) { c.regularizer.l2 = F(v); }},
      {"l1", [](TrialConfig& c, const Value& v) { c.regularizer.l1 = F(v); }},
      {"dropout", [](TrialConfig& c, const Value& v) { c.dropout = F(v); }},
      {"spatial_dropout", [](TrialConfig& c, const Value& v) { c.spatial_dropout = F(v); }},
      {"batch_norm", [](TrialConfig& c, const Value& v) { c.batch_norm = v.as_bool(); }},
      {"bn_momentum", [](TrialConfig& c, const Value& v) { c.bn.momentum = F(v); }},
      {"early_stopping", [](TrialConfig& c, const Value& v) { c.early_stopping = v.as_bool(); }},
      {"patience", [](TrialConfig& c, const Value& v) { c.patience = I(v); }},
      {"label_smoothing", [](TrialConfig& c, const Value& v) { c.label_smoothing = F(v); }},
      {"input_noise", [](TrialConfig& c, const Value& v) { c.input_noise = F(v); }},
      {"augment_shift", [](TrialConfig& c, const Value& v) { c.augment.shift = I(v); }},
      {"augment_hflip", [](TrialConfig& c, const Value& v) { c.augment.hflip = v.as_bool(); }},
      {"loss",
       [](TrialConfig& c, const Value& v) {
         c.loss = *nn::ParseLoss(v.as_string());
         c.loss_set = true;
       }},
      {"preprocess_target",
       [](TrialConfig& c, const Value& v) { c.standardize_target = v.as_string() == "standardize"; }},
      {"preprocess",
       [](TrialConfig& c, const Value& v) {
         c.preprocess_auto = v.as_string() == "auto";
         if (!c.preprocess_auto) c.preprocess = *data::ParsePreprocess(v.as_string());
       }},
      {"pca_components", [](TrialConfig& c, const Value& v) { c.pca_components = I(v); }},
  };
  return setters;
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
    if (const auto setter = Setters().find(k); setter != Setters().end()) setter->second(c, v);
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
