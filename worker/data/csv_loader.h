// Reads a CSV file into a Dataset: data/csv_table parses and checks it (the same code
// the server and `hpsearch plan` check a CSV with), this turns the table into the
// trainer's matrices.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/csv/csv_table.h"
#include "worker/data/dataset.h"

namespace hpsearch::data {

using csv::CsvOptions;

// Parses CSV text; `source` names it in errors (a file path).
absl::Status ParseCsv(std::string_view text, std::string_view source, const CsvOptions& options, Dataset& out);

// Reads and parses a file; errors name `source` ("" = `path`).
absl::Status LoadCsvFile(const std::string& path, const CsvOptions& options, Dataset& out,
                         std::string_view source = {});

}  // namespace hpsearch::data
