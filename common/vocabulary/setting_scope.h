// Which built-in trainer settings apply only under another setting's values: `beta1`
// only to adam, `momentum` to sgd / momentum / nesterov, `decay_epochs` only to the
// step schedule. A spec whose setting applies to none of its trials is refused (it
// would do nothing, silently), and a searched one must say `when` it applies.
#pragma once

#include <string>
#include <vector>

#include "common/util/value.h"

namespace hpsearch::vocabulary {

struct SettingScope {
  std::string setting;         // e.g. "beta1"
  std::string parent;          // e.g. "optimizer"
  std::vector<Value> applies;  // the parent's values under which it does something
  Value parent_default;        // the parent's value when the spec does not set it
};

// Every scoped setting (settings not listed apply everywhere).
const std::vector<SettingScope>& SettingScopes();
// The scope of `setting`, or nullptr when it applies everywhere.
const SettingScope* ScopeOf(const std::string& setting);
// "sgd, momentum or nesterov".
std::string AppliesText(const SettingScope& scope);

}  // namespace hpsearch::vocabulary
