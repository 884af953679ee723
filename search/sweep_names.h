// What a sweep's name and labels may hold (docs/spec.md, "Names and labels"). The
// server checks every submission with these (ValidateSpec), and the CLI before it
// sends one. Names and label values are shown in terminals (`hpsearch list`), logs
// and the dashboard, and a name finds a sweep as its id does, so the rules keep
// out what could drive a terminal, hide itself or pass for something else:
//
// * a name: at most 200 characters of printable ASCII (U+0020–U+007E) and letters
//   and combining marks of any script (Unicode 14 categories L and M, without
//   their compatibility forms — fullwidth `ｓ`, mathematical `𝐬`, ligatures — and
//   without the default-ignorable ones); no space at either end; and not the form
//   of an id, `s-` and digits, nor one letter (s, S or any non-ASCII letter, e.g.
//   Cyrillic `ѕ`) then `-` and digits. Non-ASCII digits, spaces, dashes and symbols
//   are not letters, so `ｓ-０００００１` and `s‐000001` are refused with the rest.
// * a label: a name of 1–63 of `a-z 0-9 _ . -`; a value of at most 256 characters
//   with no control character (C0, DEL, C1) and no invisible one
//   (util/printable.h's IsInvisible: bidi controls, zero-width characters, spaces
//   other than U+0020, ...), and no space at either end; at most 64 labels.
//
// Errors are INVALID_ARGUMENT naming the field (`name`, `labels.team`) and the
// offending character by position and code point (U+001B).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace hpsearch::search {

inline constexpr std::size_t kMaxNameChars = 200;
inline constexpr std::size_t kMaxLabelNameChars = 63;
inline constexpr std::size_t kMaxLabelValueChars = 256;
inline constexpr std::size_t kMaxLabels = 64;

absl::Status CheckSweepName(std::string_view name);
absl::Status CheckLabels(const std::map<std::string, std::string>& labels);

// A non-ASCII character a name may hold (a letter or mark, as above).
bool IsNameLetter(char32_t c);

// The forms of an id a name may not take: `s-` and digits, and the look-alikes
// above.
bool LooksLikeAnId(std::string_view name);

}  // namespace hpsearch::search
