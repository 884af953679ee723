#include "common/vocabulary/foreign_names.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/util/did_you_mean.h"
#include "common/util/printable.h"
#include "common/vocabulary/settings.h"

namespace hpsearch::vocabulary {

namespace {

// Foreign name → ours. Only names whose meaning is the same here.
constexpr std::pair<std::string_view, std::string_view> kForeign[] = {
    {"learning_rate", "lr"},
    {"learning-rate", "lr"},
    {"learningrate", "lr"},
    {"lr_init", "lr"},
    {"initial_lr", "lr"},
    {"base_lr", "lr"},
    {"weight_decay", "l2"},
    {"l2_reg", "l2"},
    {"l2_regularization", "l2"},
    {"l1_reg", "l1"},
    {"l1_regularization", "l1"},
    {"batch", "batch_size"},
    {"batchsize", "batch_size"},
    {"bs", "batch_size"},
    {"n_epochs", "epochs"},
    {"num_epochs", "epochs"},
    {"max_epochs", "epochs"},
    {"epoch", "epochs"},
    {"optimiser", "optimizer"},
    {"optim", "optimizer"},
    {"opt", "optimizer"},
    {"dropout_rate", "dropout"},
    {"dropout_prob", "dropout"},
    {"drop_rate", "dropout"},
    {"activation_function", "activation"},
    {"act", "activation"},
    {"nonlinearity", "activation"},
    {"initializer", "init"},
    {"kernel_initializer", "init"},
    {"weight_init", "init"},
    {"lr_scheduler", "schedule"},
    {"scheduler", "schedule"},
    {"lr_schedule", "schedule"},
    {"gamma", "decay_rate"},
    {"beta_1", "beta1"},
    {"beta_2", "beta2"},
    {"epsilon", "eps"},
    {"batchnorm", "batch_norm"},
    {"bn", "batch_norm"},
    {"use_batch_norm", "batch_norm"},
    {"early_stopping_patience", "patience"},
    {"hidden_sizes", "hidden"},
    {"hidden_layer_sizes", "hidden"},
};

}  // namespace

std::string NativeSettingName(std::string_view name) {
  for (const auto& [foreign, native] : kForeign) {
    if (foreign == name && FindParam(std::string(native)) != nullptr) return std::string(native);
  }
  return "";
}

std::string SettingSuggestion(std::string_view name) {
  // A misspelling of the native name needs no story (optimiser, epoch).
  if (const std::string native = NativeSettingName(name);
      !native.empty() && ClosestMatch(name, VocabularyNames()) != native) {
    return absl::StrCat(" (did you mean ", Quoted(native), "? ", Printable(name), " is called ", native, " here)");
  }
  return DidYouMean(name, VocabularyNames());
}

}  // namespace hpsearch::vocabulary
