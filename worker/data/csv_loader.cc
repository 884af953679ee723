#include "worker/data/csv_loader.h"

namespace hpsearch::data {

using csv::CsvTable;
using csv::ReadCsvTable;
using csv::ReadCsvTableFile;

namespace {

void Fill(CsvTable&& t, Dataset& out) {
  const auto n = static_cast<Eigen::Index>(t.rows);
  const auto f = static_cast<Eigen::Index>(t.feature_names.size());
  out.x = Eigen::Map<const nn::Matrix>(t.features.data(), n, f);
  out.feature_names = std::move(t.feature_names);
  if (t.regression) {
    out.task = Task::kRegression;
    out.targets = Eigen::Map<const nn::Matrix>(t.targets.data(), n, 1);
    return;
  }
  out.task = Task::kClassification;
  out.labels.assign(t.labels.begin(), t.labels.end());
  out.num_classes = static_cast<int>(t.class_names.size());
  out.class_names = std::move(t.class_names);
}

}  // namespace

absl::Status ParseCsv(std::string_view text, std::string_view source, const CsvOptions& options, Dataset& out) {
  auto table = ReadCsvTable(text, source, options);
  if (!table.ok()) return table.status();
  Fill(*std::move(table), out);
  return absl::OkStatus();
}

absl::Status LoadCsvFile(const std::string& path, const CsvOptions& options, Dataset& out, std::string_view source) {
  auto table = ReadCsvTableFile(path, options, source);
  if (!table.ok()) return table.status();
  Fill(*std::move(table), out);
  return absl::OkStatus();
}

}  // namespace hpsearch::data
