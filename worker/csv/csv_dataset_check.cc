#include "csv/csv_dataset_check.h"

#include "absl/strings/str_cat.h"
#include "csv/csv_table.h"

namespace hpsearch::csv {

std::string CheckedCsv::Summary() const {
  return absl::StrCat(rows, " rows, ", features, " features, ",
                      classes > 0 ? absl::StrCat(classes, " classes") : std::string("regression"));
}

absl::StatusOr<CheckedCsv> CheckCsvDataset(const vocabulary::DatasetOptions& d, const std::string& file) {
  auto table = ReadCsvTableFile(file, CsvOptions{d.target, d.task}, d.path);
  if (!table.ok()) return table.status();
  CheckedCsv out{d, table->rows, table->feature_names.size(), table->class_names.size()};
  out.dataset.task = table->task();
  return out;
}

}  // namespace hpsearch::csv
