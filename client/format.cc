#include "client/format.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_format.h"
#include "common/util/printable.h"

namespace hpsearch::client {

std::string Cell(const nlohmann::json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return Printable(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v.get<double>());
    return buf;
  }
  if (v.is_array()) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + Cell(v[i]);
    return s + "]";
  }
  return v.dump();
}

std::string ObjectiveText(double v) {
  if (!std::isfinite(v)) return Cell(v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%#.4g", v);
  return buf;
}

std::string Exact(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (;;) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return lines;
    text.remove_prefix(end + 1);
  }
}

}  // namespace

std::string OneLine(std::string_view text) {
  const std::vector<std::string_view> lines = Lines(text);
  std::string out = Printable(lines.front());
  for (std::size_t i = lines.size(); i-- > 1;) {
    if (lines[i].find_first_not_of(" \t\r") == std::string_view::npos) continue;
    return out + " … " + Printable(lines[i]);
  }
  return out;
}

std::string Indented(std::string_view text, std::string_view indent) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  std::string out;
  for (std::string_view line : Lines(text)) {
    if (!out.empty() || line.data() != text.data()) out.append("\n").append(indent);
    out += Printable(line);
  }
  return out;
}

std::string ShellWord(const std::string& arg) {
  if (arg.empty()) return "''";
  const bool safe = std::all_of(arg.begin(), arg.end(), [](unsigned char c) {
    return std::isalnum(c) || (c != 0 && std::strchr("_@%+=:,./-", c) != nullptr);
  });
  if (safe) return arg;
  const bool control = std::any_of(arg.begin(), arg.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
  if (control) {
    // bash's and zsh's $'...': a newline in plain quotes would be shown escaped (a
    // terminal never gets a raw control character), and that could not be pasted.
    std::string out = "$'";
    for (unsigned char c : arg) {
      if (c == '\n') {
        out += "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\\' || c == '\'') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20 || c == 0x7f) {
        out += absl::StrFormat("\\x%02x", c);
      } else {
        out += static_cast<char>(c);
      }
    }
    return out + "'";
  }
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string Sparkline(const std::vector<double>& v) {
  if (v.empty()) return "";
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return Sparkline(v, *lo, *hi);
}

std::string Sparkline(const std::vector<double>& v, double lo, double hi) {
  static const char* kBars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  std::string line;
  for (double x : v) {
    const int b = hi > lo ? static_cast<int>(std::lround((x - lo) / (hi - lo) * 7)) : 3;
    line += kBars[std::clamp(b, 0, 7)];
  }
  return line;
}

std::size_t DisplayWidth(const std::string& s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    char32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    // East Asian wide and fullwidth forms take two columns; everything else one.
    const bool wide =
        (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
        (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD);
    width += wide ? 2 : 1;
  }
  return width;
}

namespace {
bool Numeric(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}

// Digits after the decimal point of a plain decimal ("0.95" → 2; "12", "1e-05" → 0).
std::size_t Decimals(const std::string& s) {
  if (s.find_first_of("eE") != std::string::npos) return 0;
  const auto dot = s.find('.');
  return dot == std::string::npos ? 0 : s.size() - dot - 1;
}

// Pads the numeric cells of each column on the right so that their decimal points
// line up (0.9313 over 0.95  over 0.0375); text cells are left as they are.
std::vector<std::vector<std::string>> AlignDecimals(std::vector<std::vector<std::string>> rows, std::size_t columns) {
  for (std::size_t c = 0; c < columns; ++c) {
    std::size_t most = 0;
    for (const auto& r : rows) {
      if (c < r.size() && Numeric(r[c])) most = std::max(most, Decimals(r[c]));
    }
    if (most == 0) continue;
    for (auto& r : rows) {
      if (c >= r.size() || !Numeric(r[c]) || r[c].find_first_of("eE") != std::string::npos) continue;
      const std::size_t have = Decimals(r[c]);
      r[c] += std::string(most - have + (have == 0 ? 1 : 0), ' ');
    }
  }
  return rows;
}

}  // namespace

void PrintTable(std::ostream& out, const std::vector<std::string>& header_text,
                const std::vector<std::vector<std::string>>& raw, bool align_decimals) {
  std::vector<std::string> header;
  for (const auto& h : header_text) header.push_back(Printable(h));
  auto rows = align_decimals ? AlignDecimals(raw, header.size()) : raw;
  for (auto& r : rows)
    for (auto& cell : r) cell = Printable(cell);
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = DisplayWidth(header[c]);
    for (const auto& r : rows) width[c] = std::max(width[c], DisplayWidth(r[c]));
  }
  auto line = [&](const std::vector<std::string>& cells, bool is_header) {
    std::string s;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::size_t pad = width[c] - DisplayWidth(cells[c]);
      const bool right = !is_header && Numeric(cells[c].substr(0, cells[c].find_last_not_of(' ') + 1));
      if (c) s += "  ";
      s += right ? std::string(pad, ' ') + cells[c] : cells[c] + (c + 1 < cells.size() ? std::string(pad, ' ') : "");
    }
    s.erase(s.find_last_not_of(' ') + 1);
    out << s << "\n";
  };
  line(header, true);
  for (const auto& r : rows) line(r, false);
}

namespace {

std::string CsvField(const std::string& f) {
  if (f.find_first_of(",\"\n\r") == std::string::npos) return f;
  std::string q = "\"";
  for (char c : f) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

void CsvRow(std::ostream& out, const std::vector<std::string>& row) {
  for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << CsvField(row[i]);
  out << "\n";
}

}  // namespace

void PrintCsv(std::ostream& out, const std::vector<std::string>& header,
              const std::vector<std::vector<std::string>>& rows) {
  CsvRow(out, header);
  for (const auto& r : rows) CsvRow(out, r);
}

}  // namespace hpsearch::client
