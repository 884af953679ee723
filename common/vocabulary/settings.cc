#include "common/vocabulary/settings.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/util/did_you_mean.h"
#include "common/util/printable.h"
#include "common/vocabulary/conv_stack.h"
#include "common/vocabulary/foreign_names.h"

namespace hpsearch::vocabulary {

namespace {

// The network: its layers, activation and initialisation.
std::vector<ParamInfo> NetworkSettings() {
  using T = ParamType;
  return {
      {"hidden", T::kIntList, {}, 1, 65536, false, "hidden layer widths [[128]]"},
      {"layers",
       T::kLayerList,
       {},
       0,
       0,
       false,
       "the network as a list: conv, pool and dense layers (replaces hidden and conv_blocks)"},
      {"hidden_layers", T::kInt, {}, 0, 64, false, "dense stack depth, with hidden_units (replaces hidden) [1]"},
      {"hidden_units", T::kInt, {}, 1, 65536, false, "dense stack width, with hidden_layers (replaces hidden) [128]"},
      {"conv_blocks",
       T::kInt,
       {},
       0,
       16,
       false,
       "image data: N × [conv, conv?, max_pool 2] before the dense layers [0]"},
      {"conv_filters", T::kInt, {}, 1, 4096, false, "filters of the first conv block [32]"},
      {"conv_growth", T::kFloat, {}, 0, 8, true, "filters × this per conv block, rounded [2]"},
      {"conv_kernel", T::kInt, {}, 1, 15, false, "conv kernel size k (k × k, padded to keep the size when odd) [3]"},
      {"conv_per_block", T::kInt, {}, 1, 2, false, "convs in each conv block, before its pool [1]"},
      {"activation", T::kString, {"sigmoid", "tanh", "relu", "leaky_relu", "elu"}, 0, 0, false, "[relu]"},
      {"leaky_slope", T::kFloat, {}, 0, 1, false, "leaky_relu slope [0.01]"},
      {"elu_alpha", T::kFloat, {}, 0, 100, true, "elu alpha [1.0]"},
      {"init",
       T::kString,
       {"zeros", "small_normal", "large_normal", "xavier_normal", "xavier_uniform", "he_normal", "he_uniform"},
       0,
       0,
       false,
       "weight init [he_normal]"},
      {"bias_init", T::kFloat, {}, -100, 100, false, "bias value [0]"},
  };
}

// The optimizer and its learning-rate schedule.
std::vector<ParamInfo> OptimizerSettings() {
  using T = ParamType;
  return {
      {"optimizer",
       T::kString,
       {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"},
       0,
       0,
       false,
       "[adam]"},
      {"lr", T::kFloat, {}, 0, 1000, true, "learning rate [adam/rmsprop 0.001, adadelta 1.0, others 0.01]"},
      {"momentum", T::kFloat, {}, 0, 1, false, "μ: momentum, nesterov [0.9]; sgd [0: none]"},
      {"nesterov", T::kBool, {}, 0, 0, false, "sgd: Nesterov momentum (needs momentum > 0) [false]"},
      {"rho", T::kFloat, {}, 0, 1, false, "rmsprop [0.9] / adadelta [0.95] decay"},
      {"eps", T::kFloat, {}, 0, 1, true, "numerical epsilon [1e-8; adadelta 1e-6]"},
      {"beta1", T::kFloat, {}, 0, 1, false, "adam β1 [0.9]"},
      {"beta2", T::kFloat, {}, 0, 1, false, "adam β2 [0.999]"},
      {"schedule",
       T::kString,
       {"constant", "step", "exponential", "inverse_time", "cosine"},
       0,
       0,
       false,
       "lr schedule [constant]"},
      {"decay_rate", T::kFloat, {}, 0, 100, false, "schedule γ [step 0.5, exponential 0.95, inverse_time 0.1]"},
      {"decay_epochs", T::kInt, {}, 1, 100000, false, "step schedule period [10]"},
      {"lr_min", T::kFloat, {}, 0, 1000, false, "cosine final lr [0]"},
  };
}

// Batches, epochs, regularisation, the loss and preprocessing.
std::vector<ParamInfo> TrainingSettings() {
  using T = ParamType;
  return {
      {"batch_size", T::kInt, {}, 0, 1000000, false, "1 = SGD, N = mini-batch, 0 = full batch [64]"},
      {"epochs", T::kInt, {}, 1, 100000, false, "[10]"},
      {"l2", T::kFloat, {}, 0, 100, false, "λ/2·‖W‖² [0]"},
      {"l1", T::kFloat, {}, 0, 100, false, "λ·‖W‖₁ [0]"},
      {"dropout", T::kFloat, {}, 0, 0.95, false, "drop probability of hidden units [0]"},
      {"spatial_dropout",
       T::kFloat,
       {},
       0,
       0.95,
       false,
       "conv layers: drop probability of whole channels, in place of dropout there [0]"},
      {"batch_norm", T::kBool, {}, 0, 0, false, "batch normalisation of hidden layers [false]"},
      {"bn_momentum", T::kFloat, {}, 0, 1, false, "running-average momentum [0.9]"},
      {"early_stopping", T::kBool, {}, 0, 0, false, "stop after `patience` epochs without improvement [false]"},
      {"patience", T::kInt, {}, 1, 100000, false, "early stopping patience in epochs [5]"},
      {"label_smoothing", T::kFloat, {}, 0, 0.99, false, "ε [0]"},
      {"input_noise", T::kFloat, {}, 0, 100, false, "σ of Gaussian input noise in training [0]"},
      {"augment_shift", T::kInt, {}, 0, 16, false, "image data: random shift in pixels [0]"},
      {"augment_hflip", T::kBool, {}, 0, 0, false, "image data: random horizontal flip [false]"},
      {"loss", T::kString, {"cross_entropy", "mse", "hinge"}, 0, 0, false, "[cross_entropy; mse for regression]"},
      {"preprocess",
       T::kString,
       {"auto", "none", "center", "standardize", "minmax", "pca", "pca_whiten"},
       0,
       0,
       false,
       "[auto: standardize tabular data, none for images]"},
      {"pca_components", T::kInt, {}, 1, 100000, false, "pca dimensions [min(features, 50)]"},
      {"preprocess_target",
       T::kString,
       {"standardize", "none"},
       0,
       0,
       false,
       "regression: learn the target standardised on the training split, report in its units [standardize]"},
  };
}

}  // namespace

const std::vector<ParamInfo>& Vocabulary() {
  static const std::vector<ParamInfo> v = [] {
    std::vector<ParamInfo> all;
    for (auto part : {NetworkSettings(), OptimizerSettings(), TrainingSettings()}) {
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }();
  return v;
}

const std::vector<std::string>& VocabularyNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& p : Vocabulary()) n.push_back(p.name);
    return n;
  }();
  return names;
}

const ParamInfo* FindParam(const std::string& name) {
  for (const auto& p : Vocabulary())
    if (p.name == name) return &p;
  return nullptr;
}

std::string TypeName(ParamType type) {
  switch (type) {
    case ParamType::kInt:
      return "an integer";
    case ParamType::kFloat:
      return "a number";
    case ParamType::kString:
      return "a string";
    case ParamType::kBool:
      return "true or false";
    case ParamType::kIntList:
      return "a list of integers";
    case ParamType::kLayerList:
      return "a list of layers";
  }
  return "?";
}

namespace {

absl::Status CheckNumber(const ParamInfo& info, double d, bool want_int) {
  if (!std::isfinite(d)) return absl::InvalidArgumentError("must be finite");
  if (want_int && d != std::floor(d)) return absl::InvalidArgumentError(absl::StrCat("must be an integer, got ", d));
  const bool low = info.min_exclusive ? d <= info.min : d < info.min;
  if (low || d > info.max)
    return absl::InvalidArgumentError(
        absl::StrCat("must be in ", info.min_exclusive ? "(" : "[", info.min, ", ", info.max, "], got ", d));
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckParamValue(const ParamInfo& info, const Value& v) {
  auto wrong_type = [&] {
    return absl::InvalidArgumentError(absl::StrCat("must be ", TypeName(info.type), ", got ", v.ToString()));
  };
  switch (info.type) {
    case ParamType::kInt:
    case ParamType::kFloat:
      if (!v.is_number()) return wrong_type();
      return CheckNumber(info, v.number(), info.type == ParamType::kInt);
    case ParamType::kBool:
      if (!v.is_bool()) return wrong_type();
      return absl::OkStatus();
    case ParamType::kString: {
      if (!v.is_string()) return wrong_type();
      const std::string& s = v.as_string();
      if (std::find(info.choices.begin(), info.choices.end(), s) == info.choices.end())
        return absl::InvalidArgumentError(absl::StrCat("unknown value ", Quoted(s), DidYouMean(s, info.choices),
                                                       "; one of ", absl::StrJoin(info.choices, ", ")));
      return absl::OkStatus();
    }
    case ParamType::kIntList:
      if (!v.is_list()) return wrong_type();
      if (v.as_list().size() > 64) return absl::InvalidArgumentError("at most 64 layers");
      for (const auto& e : v.as_list()) {
        if (!e.is_number()) return wrong_type();
        if (auto st = CheckNumber(info, e.number(), true); !st.ok()) return st;
      }
      return absl::OkStatus();
    case ParamType::kLayerList:
      return ParseLayers(v).status();
  }
  return absl::OkStatus();
}

Value Typed(const ParamInfo& info, const Value& v) {
  switch (info.type) {
    case ParamType::kInt:
      return v.is_number() ? Value(static_cast<int64_t>(v.number())) : v;
    case ParamType::kFloat:
      return v.is_number() ? Value(v.number()) : v;
    case ParamType::kIntList: {
      if (!v.is_list()) return v;
      Value::List widths;
      for (const auto& e : v.as_list()) widths.push_back(e.is_number() ? Value(static_cast<int64_t>(e.number())) : e);
      return Value(std::move(widths));
    }
    default:
      return v;
  }
}

Params Typed(Params p) {
  for (auto& [k, v] : p) {
    if (const ParamInfo* info = FindParam(k)) v = Typed(*info, v);
  }
  return p;
}

absl::Status CheckParam(const std::string& name, const Value& value) {
  const ParamInfo* info = FindParam(name);
  if (info == nullptr)
    return absl::InvalidArgumentError(absl::StrCat("unknown trainer setting ", Quoted(name), SettingSuggestion(name)));
  return CheckParamValue(*info, value);
}

}  // namespace hpsearch::vocabulary
