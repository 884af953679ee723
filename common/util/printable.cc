#include "common/util/printable.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace hpsearch {

namespace {

struct Range {
  char32_t first, last;
};

// Unicode 14: Cf, Zl, Zp, Zs but U+0020, and the default-ignorable code points
// (DerivedCoreProperties.txt), merged and sorted. Noncharacters are tested apart.
constexpr Range kInvisible[] = {
    {0xA0, 0xA0},       {0xAD, 0xAD},       {0x34F, 0x34F},     {0x600, 0x605},     {0x61C, 0x61C},
    {0x6DD, 0x6DD},     {0x70F, 0x70F},     {0x890, 0x891},     {0x8E2, 0x8E2},     {0x115F, 0x1160},
    {0x1680, 0x1680},   {0x17B4, 0x17B5},   {0x180B, 0x180F},   {0x2000, 0x200F},   {0x2028, 0x202F},
    {0x205F, 0x206F},   {0x3000, 0x3000},   {0x3164, 0x3164},   {0xFE00, 0xFE0F},   {0xFEFF, 0xFEFF},
    {0xFFA0, 0xFFA0},   {0xFFF0, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x13438},
    {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
};

Utf8Char Invalid(unsigned char byte) { return Utf8Char{byte, 1, false}; }

void AppendHex(std::string& out, const char* format, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  out += buf;
}

}  // namespace

Utf8Char DecodeUtf8(std::string_view s, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) return Utf8Char{b0, 1, true};
  std::size_t n = 0;
  char32_t c = 0, least = 0;
  if ((b0 & 0xE0) == 0xC0)
    n = 2, c = b0 & 0x1F, least = 0x80;
  else if ((b0 & 0xF0) == 0xE0)
    n = 3, c = b0 & 0x0F, least = 0x800;
  else if ((b0 & 0xF8) == 0xF0)
    n = 4, c = b0 & 0x07, least = 0x10000;
  else
    return Invalid(b0);
  if (pos + n > s.size()) return Invalid(b0);
  for (std::size_t i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) return Invalid(b0);
    c = (c << 6) | (b & 0x3F);
  }
  if (c < least || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return Invalid(b0);
  return Utf8Char{c, n, true};
}

bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

bool IsInvisible(char32_t c) {
  if ((c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE) return true;  // noncharacters
  const auto it = std::upper_bound(std::begin(kInvisible), std::end(kInvisible), c,
                                   [](char32_t x, const Range& r) { return x < r.first; });
  return it != std::begin(kInvisible) && c <= std::prev(it)->last;
}

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Char ch = DecodeUtf8(text, i);
    if (!ch.valid || (ch.code < 0x80 && IsControl(ch.code))) {
      AppendHex(out, "\\x%02x", static_cast<unsigned>(ch.code));
    } else if (IsControl(ch.code) || IsInvisible(ch.code)) {
      AppendHex(out, "\\u{%x}", static_cast<unsigned>(ch.code));
    } else {
      out.append(text.substr(i, ch.size));
    }
    i += ch.size;
  }
  return out;
}

std::string PrintableLines(std::string_view text) {
  std::string out;
  for (;;) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out += Printable(line);
    if (end == std::string_view::npos) return out;
    out += '\n';
    text.remove_prefix(end + 1);
  }
}

std::size_t CharCount(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); i += DecodeUtf8(text, i).size) ++n;
  return n;
}

std::string Quoted(std::string_view text, std::size_t max_chars) {
  const std::string p = Printable(text);
  if (CharCount(p) <= max_chars) return "'" + p + "'";
  std::size_t end = 0;
  for (std::size_t n = 0; n + 1 < max_chars && end < p.size(); ++n) end += DecodeUtf8(p, end).size;
  return "'" + p.substr(0, end) + "…'";
}

std::string Truncated(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes < 3 ? 0 : max_bytes - 3;  // room for "…" (3 bytes)
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "…";
}

absl::Status PrintableStatus(const absl::Status& status, std::size_t max_bytes) {
  if (status.ok()) return status;
  const absl::string_view m = status.message();
  return absl::Status(status.code(), Truncated(Printable(std::string_view(m.data(), m.size())), max_bytes));
}

}  // namespace hpsearch
