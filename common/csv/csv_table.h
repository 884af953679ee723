// Reads a CSV file with a header row into a plain table: every column but the target
// is a numeric feature; the target column holds class names (strings or integers) or
// real values, and the task is inferred from it unless given. Errors name the file
// (as the caller names it), the line and the column.
//
// No Eigen and no trainer here: the server checks a submitted CSV and `hpsearch plan`
// a local one with this same code before the trainer's loader (data/csv_loader) turns
// the table into a Dataset.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace hpsearch::csv {

struct CsvOptions {
  std::string target;  // column name; "" = last column
  std::string task;    // "classification", "regression" or "" (infer)
};

struct CsvTable {
  std::vector<std::string> feature_names;
  std::string target_name;
  std::size_t rows = 0;
  std::vector<float> features;  // row-major, rows × feature_names.size()
  bool regression = false;      // the task, as given or inferred
  std::vector<float> targets;   // regression: one value per row
  // Classification: classes in order (numeric labels by value, strings by first
  // appearance) and each row's class index.
  std::vector<std::string> class_names;
  std::vector<int> labels;

  std::string task() const { return regression ? "regression" : "classification"; }
};

// Inferred as classification when the target holds strings or at most this many
// distinct integers; as regression otherwise.
inline constexpr std::size_t kMaxInferredClasses = 50;

// The longest line read (a line past it is an error naming it): a file of one huge
// line is not a table, and a message never quotes more than util/printable.h's
// Quoted() of a value (80 characters).
inline constexpr std::size_t kMaxCsvLineBytes = std::size_t{1} << 20;

// Parses CSV text; `source` names it in errors (the path as the user wrote it).
absl::StatusOr<CsvTable> ReadCsvTable(std::string_view text, std::string_view source, const CsvOptions& options);

// Reads and parses the file at `path`; errors name `source` ("" = `path`).
absl::StatusOr<CsvTable> ReadCsvTableFile(const std::string& path, const CsvOptions& options,
                                          std::string_view source = {});

}  // namespace hpsearch::csv
