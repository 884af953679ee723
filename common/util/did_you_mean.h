// "did you mean" suggestions for misspelt names.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hpsearch {

// Levenshtein distance.
int EditDistance(std::string_view a, std::string_view b);

// The closest candidate within a small distance, else the one candidate the word
// abbreviates part by part ("val_acc": "val_accuracy"), or "" when none. Words
// longer than kMaxSuggestedLength get none, and candidates whose length alone puts
// them out of reach are skipped, so the cost stays small whatever the input.
inline constexpr std::size_t kMaxSuggestedLength = 256;
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" (the suggestion quoted as util/printable.h's Quoted()).
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace hpsearch
