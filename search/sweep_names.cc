#include "search/sweep_names.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "common/util/printable.h"

namespace hpsearch::search {

namespace {

struct Range {
  char32_t first, last;
};

constexpr Range kNameLetters[] = {
#include "search/name_letters.inc"
};

absl::Status Bad(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

// "U+001B, a control character", "U+FF53 'ｓ'" (`bytes`: the character's UTF-8).
std::string Describe(char32_t c, std::string_view bytes) {
  char code[16];
  std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(c));
  if (IsControl(c)) return absl::StrCat(code, ", a control character");
  if (IsInvisible(c)) return absl::StrCat(code, ", an invisible or formatting character");
  return absl::StrCat(code, " '", std::string(bytes), "'");
}

// Every character of `text` valid UTF-8 and `allowed`, at most `max_chars` of them,
// no space at either end.
absl::Status CheckText(std::string_view text, const std::string& field, std::size_t max_chars,
                       bool (*allowed)(char32_t), const char* rule) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++n) {
    const Utf8Char ch = DecodeUtf8(text, i);
    if (!ch.valid) return Bad(field, absl::StrCat("is not UTF-8 (byte ", i + 1, ")"));
    if (!allowed(ch.code))
      return Bad(field, absl::StrCat("character ", n + 1, " (", Describe(ch.code, text.substr(i, ch.size)),
                                     ") is not allowed: ", rule));
    i += ch.size;
  }
  if (n > max_chars) return Bad(field, absl::StrCat("must be at most ", max_chars, " characters"));
  if (!text.empty() && (text.front() == ' ' || text.back() == ' '))
    return Bad(field, "must not start or end with a space");
  return absl::OkStatus();
}

bool NameChar(char32_t c) { return (c >= 0x20 && c < 0x7F) || IsNameLetter(c); }
bool ValueChar(char32_t c) { return !IsControl(c) && !IsInvisible(c); }

bool LabelNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

bool IsNameLetter(char32_t c) {
  const auto it = std::upper_bound(std::begin(kNameLetters), std::end(kNameLetters), c,
                                   [](char32_t x, const Range& r) { return x < r.first; });
  return it != std::begin(kNameLetters) && c <= std::prev(it)->last;
}

bool LooksLikeAnId(std::string_view name) {
  if (name.empty()) return false;
  const Utf8Char first = DecodeUtf8(name, 0);
  const bool s_like = first.valid && (first.code == 's' || first.code == 'S' || first.code >= 0x80);
  const std::string_view rest = name.substr(first.size);
  return s_like && rest.size() >= 2 && rest[0] == '-' &&
         std::all_of(rest.begin() + 1, rest.end(), [](char c) { return c >= '0' && c <= '9'; });
}

absl::Status CheckSweepName(std::string_view name) {
  if (auto st = CheckText(name, "name", kMaxNameChars, NameChar,
                          "a name holds printable ASCII and letters and marks of any script (no control, "
                          "invisible or fullwidth characters, no symbols or digits other than 0-9)");
      !st.ok())
    return st;
  if (LooksLikeAnId(name))
    return Bad("name", absl::StrCat(Quoted(name),
                                    " looks like a sweep id (s-NNNNNN), which would hide the sweep "
                                    "when looked up by name; choose another name"));
  return absl::OkStatus();
}

absl::Status CheckLabels(const std::map<std::string, std::string>& labels) {
  for (const auto& [k, v] : labels) {
    const std::string field = "labels." + Printable(Truncated(k, kMaxLabelNameChars + 3));
    if (k.empty() || k.size() > kMaxLabelNameChars || !std::all_of(k.begin(), k.end(), LabelNameChar))
      return Bad(field, "a label name is 1-63 of a-z, 0-9, '_', '.', '-'");
    if (auto st = CheckText(v, field, kMaxLabelValueChars, ValueChar,
                            "a label value holds no control or invisible characters");
        !st.ok())
      return st;
  }
  if (labels.size() > kMaxLabels) return Bad("labels", absl::StrCat("at most ", kMaxLabels, " labels"));
  return absl::OkStatus();
}

}  // namespace hpsearch::search
