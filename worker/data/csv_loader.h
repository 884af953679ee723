// Reads a CSV file with a header row into a Dataset: every column but the target is a
// numeric feature; the target column holds class names (strings or integers) or real
// values. Errors name the file, the line and the column.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "data/dataset.h"

namespace hpsearch::data {

struct CsvOptions {
  std::string target;  // column name; "" = last column
  std::string task;    // "classification", "regression" or "" (infer)
};

// Parses CSV text; `source` names it in errors (a file path).
absl::Status ParseCsv(std::string_view text, std::string_view source, const CsvOptions& options,
                      Dataset& out);

// Reads and parses a file.
absl::Status LoadCsvFile(const std::string& path, const CsvOptions& options, Dataset& out);

}  // namespace hpsearch::data
