// Names users bring from other tools (Optuna, PyTorch, Keras, W&B Sweeps, Ray Tune)
// for the built-in trainer's settings, and what they are called here. A spec that
// says `learning_rate` is told `lr`, not left with a bare "unknown trainer setting".
#pragma once

#include <string>
#include <string_view>

namespace hpsearch::vocabulary {

// The setting another tool's `name` stands for here ("" when it is none we know).
std::string NativeSettingName(std::string_view name);

// The hint for an unknown setting `name`: " (did you mean 'lr'? learning_rate is
// called lr here)" for a known foreign name, else the closest setting's did-you-mean,
// else "".
std::string SettingSuggestion(std::string_view name);

}  // namespace hpsearch::vocabulary
