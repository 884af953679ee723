// Text from outside the process — names, labels, failure reasons, values quoted in
// error messages — made safe to show and bounded in size. A terminal interprets
// control characters (ESC starts a command sequence, CR rewrites a line), a log line
// passed to printf("%s") ends at a NUL, and bidi overrides or zero-width characters
// make one string look like another; Printable() escapes all of them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace hpsearch {

// One code point of UTF-8 text.
struct Utf8Char {
  char32_t code = 0;
  std::size_t size = 1;  // bytes it takes (1 for an invalid byte)
  bool valid = false;    // false: the byte at the position starts no valid sequence
};

// The code point starting at s[pos] (pos < s.size()). Overlong forms, surrogates,
// values above U+10FFFF and truncated sequences are invalid, one byte at a time.
Utf8Char DecodeUtf8(std::string_view s, std::size_t pos);

// C0 (U+0000–U+001F, including tab and newline), DEL and C1 (U+0080–U+009F).
bool IsControl(char32_t c);

// Characters that show nothing or change how the text around them shows (Unicode
// 14): format characters (bidi embeddings, overrides and isolates, zero-width
// spaces and joiners, the byte order mark, ...), line and paragraph separators,
// every space but U+0020, the other default-ignorable code points (variation
// selectors, Hangul fillers, tags) and noncharacters.
bool IsInvisible(char32_t c);

// `text` with every control character, invisible character and byte that is not
// UTF-8 written as an escape: `\x1b`, `\x00`, `\x0a` for control characters below
// U+0080 and for bytes that are not UTF-8, `\u{9b}`, `\u{202e}` for code points.
// Everything else is unchanged (a backslash too), so the result is printable ASCII
// plus visible non-ASCII characters, and escaping it again changes nothing.
std::string Printable(std::string_view text);

// Printable() line by line, the newlines kept (a CR ending a line dropped): text
// meant to be read over several lines, such as a program's stderr tail in a failure
// reason; a view shows it on one line or several (client/format.h's OneLine, Indented).
std::string PrintableLines(std::string_view text);

// 'text' for an error message: Printable(text) between single quotes, cut to at
// most `max_chars` characters with "…" (so a 20 KB value quotes as 80 characters).
inline constexpr std::size_t kQuotedChars = 80;
std::string Quoted(std::string_view text, std::size_t max_chars = kQuotedChars);

// `text` cut to at most `max_bytes` bytes (>= 3), never inside a UTF-8 sequence; a
// cut text ends with "…" (within the bound). Unchanged when it fits.
std::string Truncated(std::string_view text, std::size_t max_bytes);

// Characters (code points; an invalid byte counts as one) in `text`.
std::size_t CharCount(std::string_view text);

// `status` with its message made Printable and cut to `max_bytes`: what the entry
// points of readers and validators return, whose messages quote their input.
absl::Status PrintableStatus(const absl::Status& status, std::size_t max_bytes = 2000);

}  // namespace hpsearch
