#include "data/csv_loader.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "util/did_you_mean.h"

namespace hpsearch::data {

namespace {

// Splits one CSV line into fields (RFC 4180 double quotes supported).
absl::StatusOr<std::vector<std::string>> SplitLine(std::string_view line, const std::string& src,
                                                   int line_no) {
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
  if (quoted)
    return absl::InvalidArgumentError(absl::StrCat(src, ":", line_no, ": unterminated quote"));
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

}  // namespace

absl::Status ParseCsv(std::string_view text, std::string_view source, const CsvOptions& options,
                      Dataset& out) {
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
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto fields = SplitLine(line, src, line_no);
    if (!fields.ok()) return fields.status();
    if (header.empty()) {
      header = std::move(*fields);
      continue;
    }
    if (fields->size() != header.size())
      return absl::InvalidArgumentError(absl::StrCat(src, ":", line_no, ": expected ",
                                                     header.size(), " columns, found ",
                                                     fields->size()));
    rows.push_back(std::move(*fields));
    line_numbers.push_back(line_no);
  }
  if (header.empty()) return absl::InvalidArgumentError(absl::StrCat(src, ": empty file"));
  if (header.size() < 2)
    return absl::InvalidArgumentError(
        absl::StrCat(src, ":1: need at least one feature column and a target column"));
  if (rows.empty()) return absl::InvalidArgumentError(absl::StrCat(src, ": no data rows"));

  std::size_t target = header.size() - 1;
  if (!options.target.empty()) {
    auto it = std::find(header.begin(), header.end(), options.target);
    if (it == header.end())
      return absl::InvalidArgumentError(absl::StrCat(src, ":1: no column named '",
                                                     options.target, "'",
                                                     DidYouMean(options.target, header)));
    target = static_cast<std::size_t>(it - header.begin());
  }
  const auto n = static_cast<Eigen::Index>(rows.size());
  const auto f = static_cast<Eigen::Index>(header.size() - 1);
  out.x.resize(n, f);
  out.feature_names.clear();
  for (std::size_t c = 0; c < header.size(); ++c)
    if (c != target) out.feature_names.push_back(header[c]);

  // Target column: numeric or not?
  bool numeric = true, integral = true;
  std::set<std::string> distinct;
  std::vector<float> tvals(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string& s = rows[r][target];
    if (s.empty())
      return absl::InvalidArgumentError(absl::StrCat(src, ":", line_numbers[r], ": column '",
                                                     header[target], "' is empty"));
    distinct.insert(s);
    float v;
    if (numeric && ParseFloat(s, v)) {
      tvals[r] = v;
      integral = integral && v == std::floor(v);
    } else {
      numeric = false;
    }
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Eigen::Index j = 0;
    for (std::size_t c = 0; c < header.size(); ++c) {
      if (c == target) continue;
      float v;
      if (!ParseFloat(rows[r][c], v))
        return absl::InvalidArgumentError(absl::StrCat(
            src, ":", line_numbers[r], ": column '", header[c], "' (", c + 1,
            "): not a number: '", rows[r][c], "'"));
      out.x(static_cast<Eigen::Index>(r), j++) = v;
    }
  }
  std::string task = options.task;
  if (task.empty())
    task = (!numeric || (integral && distinct.size() <= 50)) ? "classification" : "regression";
  if (task == "regression") {
    if (!numeric)
      return absl::InvalidArgumentError(absl::StrCat(
          src, ": column '", header[target], "' is not numeric, cannot do regression"));
    out.task = Task::kRegression;
    out.targets.resize(n, 1);
    for (Eigen::Index r = 0; r < n; ++r) out.targets(r, 0) = tvals[r];
    return absl::OkStatus();
  }
  out.task = Task::kClassification;
  // Class order: numeric labels by value, strings by first appearance.
  std::vector<std::string> classes;
  if (numeric) {
    std::map<float, std::string> by_value;
    for (std::size_t r = 0; r < rows.size(); ++r) by_value.emplace(tvals[r], rows[r][target]);
    for (auto& [v, s] : by_value) classes.push_back(s);
  } else {
    std::set<std::string> seen;
    for (auto& row : rows)
      if (seen.insert(row[target]).second) classes.push_back(row[target]);
  }
  if (classes.size() < 2)
    return absl::InvalidArgumentError(
        absl::StrCat(src, ": column '", header[target], "' has a single class"));
  std::map<std::string, int> index;
  for (std::size_t c = 0; c < classes.size(); ++c) index[classes[c]] = static_cast<int>(c);
  out.labels.resize(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (numeric) {
      // "1" and "1.0" are the same class.
      for (std::size_t c = 0; c < classes.size(); ++c) {
        float v;
        ParseFloat(classes[c], v);
        if (v == tvals[r]) out.labels[r] = static_cast<int>(c);
      }
    } else {
      out.labels[r] = index[rows[r][target]];
    }
  }
  out.num_classes = static_cast<int>(classes.size());
  out.class_names = classes;
  return absl::OkStatus();
}

absl::Status LoadCsvFile(const std::string& path, const CsvOptions& options, Dataset& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseCsv(ss.str(), path, options, out);
}

}  // namespace hpsearch::data
