#include "common/vocabulary/setting_scope.h"

#include "absl/strings/str_cat.h"

namespace hpsearch::vocabulary {

const std::vector<SettingScope>& SettingScopes() {
  static const std::vector<SettingScope> scopes = {
      {"momentum", "optimizer", {"sgd", "momentum", "nesterov"}, "adam"},
      {"nesterov", "optimizer", {"sgd"}, "adam"},
      {"rho", "optimizer", {"rmsprop", "adadelta"}, "adam"},
      {"eps", "optimizer", {"adagrad", "rmsprop", "adadelta", "adam"}, "adam"},
      {"beta1", "optimizer", {"adam"}, "adam"},
      {"beta2", "optimizer", {"adam"}, "adam"},
      {"leaky_slope", "activation", {"leaky_relu"}, "relu"},
      {"elu_alpha", "activation", {"elu"}, "relu"},
      {"decay_rate", "schedule", {"step", "exponential", "inverse_time"}, "constant"},
      {"decay_epochs", "schedule", {"step"}, "constant"},
      {"lr_min", "schedule", {"cosine"}, "constant"},
      {"bn_momentum", "batch_norm", {true}, false},
      {"patience", "early_stopping", {true}, false},
      {"pca_components", "preprocess", {"pca", "pca_whiten"}, "auto"},
  };
  return scopes;
}

const SettingScope* ScopeOf(const std::string& setting) {
  for (const auto& s : SettingScopes()) {
    if (s.setting == setting) return &s;
  }
  return nullptr;
}

std::string AppliesText(const SettingScope& scope) {
  std::string out;
  for (std::size_t i = 0; i < scope.applies.size(); ++i) {
    if (i > 0) out += i + 1 == scope.applies.size() ? " or " : ", ";
    const Value& v = scope.applies[i];
    out += v.is_string() ? v.as_string() : v.ToString();
  }
  return out;
}

}  // namespace hpsearch::vocabulary
