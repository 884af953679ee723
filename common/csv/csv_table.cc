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

// The file's fields: its header and the data rows, each with its line number.
struct Fields {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> line_numbers;
};

absl::StatusOr<Fields> SplitFile(std::string_view text, const std::string& src) {
  Fields f;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (line.size() > kMaxCsvLineBytes) {
      return Bad(src, line_no,
                 absl::StrCat("the line is longer than ", kMaxCsvLineBytes, " bytes (", line.size(),
                              "); is this a CSV file?"));
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto fields = SplitLine(line, src, line_no);
    if (!fields.ok()) return fields.status();
    if (f.header.empty()) {
      f.header = std::move(*fields);
      continue;
    }
    if (fields->size() != f.header.size()) {
      return Bad(src, line_no, absl::StrCat("expected ", f.header.size(), " columns, found ", fields->size()));
    }
    f.rows.push_back(std::move(*fields));
    f.line_numbers.push_back(line_no);
  }
  if (f.header.empty()) return Bad(src, 0, "empty file");
  if (f.header.size() < 2) {
    return Bad(src, 1, absl::StrCat("need at least one feature column and a target column", SeparatorHint(f.header)));
  }
  if (f.rows.empty()) return Bad(src, 0, "no data rows (only a header)");
  return f;
}

// The target's column: the one named, else the last.
absl::StatusOr<std::size_t> TargetColumn(const std::vector<std::string>& header, const std::string& name,
                                         const std::string& src) {
  if (name.empty()) return header.size() - 1;
  auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) return Bad(src, 1, absl::StrCat("no column named ", Quoted(name), DidYouMean(name, header)));
  return static_cast<std::size_t>(it - header.begin());
}

// The target column read as numbers while it is numeric.
struct TargetValues {
  bool numeric = true;
  bool integral = true;
  std::size_t distinct = 0;
  std::vector<float> values;  // meaningful when numeric
};

absl::StatusOr<TargetValues> ReadTarget(const Fields& f, std::size_t target, const std::string& src) {
  TargetValues t;
  std::set<std::string> distinct;
  t.values.resize(f.rows.size());
  for (std::size_t r = 0; r < f.rows.size(); ++r) {
    const std::string& s = f.rows[r][target];
    if (s.empty()) {
      return Bad(src, f.line_numbers[r], absl::StrCat("column ", Quoted(f.header[target]), " is empty", kMissingHint));
    }
    distinct.insert(s);
    float v;
    if (t.numeric && ParseFloat(s, v)) {
      t.values[r] = v;
      t.integral = t.integral && v == std::floor(v);
    } else {
      t.numeric = false;
    }
  }
  t.distinct = distinct.size();
  return t;
}

// Every feature as a float, row-major.
absl::Status ReadFeatures(const Fields& f, std::size_t target, const std::string& src, CsvTable& out) {
  out.features.resize(f.rows.size() * out.feature_names.size());
  std::size_t k = 0;
  for (std::size_t r = 0; r < f.rows.size(); ++r) {
    for (std::size_t c = 0; c < f.header.size(); ++c) {
      if (c == target) continue;
      const std::string& s = f.rows[r][c];
      if (!ParseFloat(s, out.features[k++])) {
        return Bad(src, f.line_numbers[r],
                   absl::StrCat("column ", Quoted(f.header[c]), " (", c + 1, "): not a number: ", Quoted(s),
                                LooksMissing(s) ? kMissingHint : " (features must be numeric)"));
      }
    }
  }
  return absl::OkStatus();
}

// Class order: numeric labels by value ("1" and "1.0" are one class), strings by
// first appearance.
absl::Status AssignClasses(const Fields& f, std::size_t target, const TargetValues& t, const std::string& src,
                           CsvTable& out) {
  std::vector<std::string> classes;
  out.labels.resize(f.rows.size());
  if (t.numeric) {
    std::map<float, std::string> by_value;
    for (std::size_t r = 0; r < f.rows.size(); ++r) by_value.emplace(t.values[r], f.rows[r][target]);
    std::map<float, int> index;
    for (auto& [v, s] : by_value) {
      index[v] = static_cast<int>(classes.size());
      classes.push_back(s);
    }
    for (std::size_t r = 0; r < f.rows.size(); ++r) out.labels[r] = index[t.values[r]];
  } else {
    std::map<std::string, int> index;
    for (std::size_t r = 0; r < f.rows.size(); ++r) {
      auto [it, fresh] = index.emplace(f.rows[r][target], static_cast<int>(classes.size()));
      if (fresh) classes.push_back(f.rows[r][target]);
      out.labels[r] = it->second;
    }
  }
  if (classes.size() < 2) {
    return Bad(src, 0,
               absl::StrCat("column ", Quoted(f.header[target]), " has a single class (", Quoted(classes[0]),
                            "); a classifier needs at least two"));
  }
  out.class_names = std::move(classes);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CsvTable> ReadCsvTable(std::string_view text, std::string_view source, const CsvOptions& options) {
  const std::string src(source);
  auto fields = SplitFile(text, src);
  if (!fields.ok()) return fields.status();
  auto target = TargetColumn(fields->header, options.target, src);
  if (!target.ok()) return target.status();
  CsvTable out;
  out.rows = fields->rows.size();
  out.target_name = fields->header[*target];
  for (std::size_t c = 0; c < fields->header.size(); ++c) {
    if (c != *target) out.feature_names.push_back(fields->header[c]);
  }
  auto values = ReadTarget(*fields, *target, src);
  if (!values.ok()) return values.status();
  if (auto st = ReadFeatures(*fields, *target, src, out); !st.ok()) return st;
  std::string task = options.task;
  if (task.empty()) {
    task = (!values->numeric || (values->integral && values->distinct <= kMaxInferredClasses)) ? "classification"
                                                                                               : "regression";
  }
  if (task == "regression") {
    if (!values->numeric) {
      return Bad(src, 0, absl::StrCat("column ", Quoted(out.target_name), " is not numeric, cannot do regression"));
    }
    out.regression = true;
    out.targets = std::move(values->values);
    return out;
  }
  if (auto st = AssignClasses(*fields, *target, *values, src, out); !st.ok()) return st;
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
