#include "common/csv/csv_table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/util/did_you_mean.h"
#include "common/util/printable.h"

namespace hpsearch::csv {

namespace {

absl::Status Bad(const std::string& src, int line, const std::string& what) {
  return absl::InvalidArgumentError(line > 0 ? absl::StrCat(src, ":", line, ": ", what)
                                             : absl::StrCat(src, ": ", what));
}

// Splits one CSV line into fields (RFC 4180 double quotes supported).
absl::StatusOr<std::vector<std::string>> SplitLine(std::string_view line, const std::string& src, int line_no) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) return Bad(src, line_no, "unterminated quote");
  for (auto& f : fields) {  // trim spaces
    const auto b = f.find_first_not_of(" \t");
    const auto e = f.find_last_not_of(" \t");
    f = b == std::string::npos ? "" : f.substr(b, e - b + 1);
  }
  return fields;
}

bool ParseFloat(const std::string& s, float& out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && p == end && std::isfinite(out);
}

// How spreadsheets and pandas write a missing value.
bool LooksMissing(const std::string& s) {
  const std::string l = absl::AsciiStrToLower(s);
  return l.empty() || l == "na" || l == "n/a" || l == "nan" || l == "null" || l == "none" || l == "?" || l == "-";
}

constexpr char kMissingHint[] = " (missing values are not supported: fill them in or drop the row)";

// A header that is one field holding another separator: the file is not
// comma-separated.
std::string SeparatorHint(const std::vector<std::string>& header) {
  if (header.size() != 1) return "";
  for (const char* sep : {";", "\t", "|"}) {
    if (header[0].find(sep) != std::string::npos) {
      return absl::StrCat(" (the header looks ", *sep == '\t' ? "tab" : absl::StrCat("'", sep, "'"),
                          "-separated; hpsearch reads comma-separated files)");
    }
  }
  return "";
}

}  // namespace

absl::StatusOr<CsvTable> ReadCsvTable(std::string_view text, std::string_view source, const CsvOptions& options) {
  const std::string src(source);
  std::vector<std::vector<std::string>> rows;
  std::vector<int> line_numbers;
  std::vector<std::string> header;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (line.size() > kMaxCsvLineBytes)
      return Bad(src, line_no,
                 absl::StrCat("the line is longer than ", kMaxCsvLineBytes, " bytes (", line.size(),
                              "); is this a CSV file?"));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto fields = SplitLine(line, src, line_no);
    if (!fields.ok()) return fields.status();
    if (header.empty()) {
      header = std::move(*fields);
      continue;
    }
    if (fields->size() != header.size())
      return Bad(src, line_no, absl::StrCat("expected ", header.size(), " columns, found ", fields->size()));
    rows.push_back(std::move(*fields));
    line_numbers.push_back(line_no);
  }
  if (header.empty()) return Bad(src, 0, "empty file");
  if (header.size() < 2)
    return Bad(src, 1, absl::StrCat("need at least one feature column and a target column", SeparatorHint(header)));
  if (rows.empty()) return Bad(src, 0, "no data rows (only a header)");

  std::size_t target = header.size() - 1;
  if (!options.target.empty()) {
    auto it = std::find(header.begin(), header.end(), options.target);
    if (it == header.end())
      return Bad(src, 1, absl::StrCat("no column named ", Quoted(options.target), DidYouMean(options.target, header)));
    target = static_cast<std::size_t>(it - header.begin());
  }
  CsvTable out;
  out.rows = rows.size();
  out.target_name = header[target];
  for (std::size_t c = 0; c < header.size(); ++c)
    if (c != target) out.feature_names.push_back(header[c]);

  // Target column: numeric or not?
  bool numeric = true, integral = true;
  std::set<std::string> distinct;
  std::vector<float> tvals(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string& s = rows[r][target];
    if (s.empty())
      return Bad(src, line_numbers[r], absl::StrCat("column ", Quoted(header[target]), " is empty", kMissingHint));
    distinct.insert(s);
    float v;
    if (numeric && ParseFloat(s, v)) {
      tvals[r] = v;
      integral = integral && v == std::floor(v);
    } else {
      numeric = false;
    }
  }
  out.features.resize(rows.size() * out.feature_names.size());
  std::size_t k = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < header.size(); ++c) {
      if (c == target) continue;
      const std::string& s = rows[r][c];
      if (!ParseFloat(s, out.features[k++]))
        return Bad(src, line_numbers[r],
                   absl::StrCat("column ", Quoted(header[c]), " (", c + 1, "): not a number: ", Quoted(s),
                                LooksMissing(s) ? kMissingHint : " (features must be numeric)"));
    }
  }
  std::string task = options.task;
  if (task.empty())
    task = (!numeric || (integral && distinct.size() <= kMaxInferredClasses)) ? "classification" : "regression";
  if (task == "regression") {
    if (!numeric)
      return Bad(src, 0, absl::StrCat("column ", Quoted(header[target]), " is not numeric, cannot do regression"));
    out.regression = true;
    out.targets = std::move(tvals);
    return out;
  }
  // Class order: numeric labels by value ("1" and "1.0" are one class), strings by
  // first appearance.
  std::vector<std::string> classes;
  out.labels.resize(rows.size());
  if (numeric) {
    std::map<float, std::string> by_value;
    for (std::size_t r = 0; r < rows.size(); ++r) by_value.emplace(tvals[r], rows[r][target]);
    std::map<float, int> index;
    for (auto& [v, s] : by_value) {
      index[v] = static_cast<int>(classes.size());
      classes.push_back(s);
    }
    for (std::size_t r = 0; r < rows.size(); ++r) out.labels[r] = index[tvals[r]];
  } else {
    std::map<std::string, int> index;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      auto [it, fresh] = index.emplace(rows[r][target], static_cast<int>(classes.size()));
      if (fresh) classes.push_back(rows[r][target]);
      out.labels[r] = it->second;
    }
  }
  if (classes.size() < 2)
    return Bad(src, 0,
               absl::StrCat("column ", Quoted(header[target]), " has a single class (", Quoted(classes[0]),
                            "); a classifier needs at least two"));
  out.class_names = std::move(classes);
  return out;
}

absl::StatusOr<CsvTable> ReadCsvTableFile(const std::string& path, const CsvOptions& options, std::string_view source) {
  const std::string name(source.empty() ? std::string_view(path) : source);
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(name, ": cannot open file"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ReadCsvTable(ss.str(), name, options);
}

}  // namespace hpsearch::csv
