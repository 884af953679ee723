#include "common/util/did_you_mean.h"

#include <algorithm>
#include <numeric>

#include "common/util/printable.h"

namespace hpsearch {

int EditDistance(std::string_view a, std::string_view b) {
  std::vector<int> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    int diag = row[0];
    row[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const int up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

namespace {

// `word` abbreviates `c` part by part (parts split at '_' and '.'): as many parts,
// each a prefix of c's ("val_acc" of "val_accuracy", "opt" of "optimizer").
bool Abbreviates(std::string_view word, std::string_view c) {
  if (word.size() >= c.size()) return false;
  std::size_t i = 0, j = 0;
  while (i < word.size()) {
    const bool sep = word[i] == '_' || word[i] == '.';
    if (j >= c.size()) return false;
    if (sep) {
      while (j < c.size() && c[j] != word[i]) {
        if (c[j] == '_' || c[j] == '.') return false;  // a part of c left over
        ++j;
      }
      if (j == c.size()) return false;
    } else if (word[i] != c[j]) {
      return false;
    }
    ++i, ++j;
  }
  for (; j < c.size(); ++j) {  // the rest of c's last part only
    if (c[j] == '_' || c[j] == '.') return false;
  }
  return true;
}

}  // namespace

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  if (word.size() > kMaxSuggestedLength) return best;
  int best_d = std::max<int>(2, static_cast<int>(word.size()) / 3) + 1;
  for (const auto& c : candidates) {
    // The distance is at least the difference in length: skip without computing it
    // (a 1 MB CSV header field costs nothing against a short target name).
    const auto gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (gap >= static_cast<std::size_t>(best_d)) continue;
    const int d = EditDistance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  if (!best.empty() || word.size() < 3) return best;
  // None close: one candidate that the word abbreviates, if only one.
  for (const auto& c : candidates) {
    if (!Abbreviates(word, c)) continue;
    if (!best.empty()) return "";
    best = c;
  }
  return best;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string m = ClosestMatch(word, candidates);
  return m.empty() ? "" : " (did you mean " + Quoted(m) + "?)";
}

}  // namespace hpsearch
