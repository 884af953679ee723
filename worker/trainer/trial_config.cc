#include "trainer/trial_config.h"

#include "absl/strings/str_cat.h"
#include "trainer/vocabulary.h"

namespace hpsearch::trainer {

namespace {

absl::Status Apply(TrialConfig& c, const std::string& k, const nlohmann::json& v) {
  auto f = [&] { return v.get<float>(); };
  auto d = [&] { return v.get<double>(); };
  auto i = [&] { return static_cast<int>(v.get<double>()); };
  auto s = [&] { return v.get<std::string>(); };
  if (k == "hidden") {
    c.hidden.clear();
    for (const auto& e : v) c.hidden.push_back(static_cast<int>(e.get<double>()));
  } else if (k == "activation") {
    c.activation.kind = *nn::ParseActivation(s());
  } else if (k == "leaky_slope") c.activation.leaky_slope = f();
  else if (k == "elu_alpha") c.activation.elu_alpha = f();
  else if (k == "init") c.init = *nn::ParseInit(s());
  else if (k == "bias_init") c.bias_init = f();
  else if (k == "optimizer") c.optimizer.kind = *optim::ParseOptimizer(s());
  else if (k == "lr") c.lr = d();
  else if (k == "momentum") c.optimizer.momentum = d();
  else if (k == "rho") c.optimizer.rho = d();
  else if (k == "eps") c.optimizer.eps = d();
  else if (k == "beta1") c.optimizer.beta1 = d();
  else if (k == "beta2") c.optimizer.beta2 = d();
  else if (k == "schedule") c.schedule.kind = *optim::ParseSchedule(s());
  else if (k == "decay_rate") c.schedule.decay_rate = d();
  else if (k == "decay_epochs") c.schedule.decay_epochs = i();
  else if (k == "lr_min") c.schedule.lr_min = d();
  else if (k == "batch_size") c.batch_size = i();
  else if (k == "epochs") c.epochs = i();
  else if (k == "l2") c.regularizer.l2 = f();
  else if (k == "l1") c.regularizer.l1 = f();
  else if (k == "dropout") c.dropout = f();
  else if (k == "batch_norm") c.batch_norm = v.get<bool>();
  else if (k == "bn_momentum") c.bn.momentum = f();
  else if (k == "early_stopping") c.early_stopping = v.get<bool>();
  else if (k == "patience") c.patience = i();
  else if (k == "label_smoothing") c.label_smoothing = f();
  else if (k == "input_noise") c.input_noise = f();
  else if (k == "augment_shift") c.augment.shift = i();
  else if (k == "augment_hflip") c.augment.hflip = v.get<bool>();
  else if (k == "loss") {
    c.loss = *nn::ParseLoss(s());
    c.loss_set = true;
  } else if (k == "preprocess") {
    c.preprocess_auto = s() == "auto";
    if (!c.preprocess_auto) c.preprocess = *data::ParsePreprocess(s());
  } else if (k == "pca_components") c.pca_components = i();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TrialConfig> ParseTrialConfig(const nlohmann::json& params) {
  if (!params.is_object()) return absl::InvalidArgumentError("trial parameters must be a mapping");
  TrialConfig c;
  for (const auto& [k, v] : params.items()) {
    if (auto st = CheckParam(k, v); !st.ok())
      return absl::InvalidArgumentError(absl::StrCat(k, ": ", st.message()));
    if (auto st = Apply(c, k, v); !st.ok()) return st;
  }
  if (c.loss == nn::LossKind::kHinge && c.label_smoothing > 0)
    return absl::InvalidArgumentError("label_smoothing: does not apply to loss hinge");
  if (c.schedule.kind == optim::ScheduleKind::kCosine && c.schedule.lr_min > c.LearningRate())
    return absl::InvalidArgumentError("lr_min: must not exceed lr");
  return c;
}

}  // namespace hpsearch::trainer
