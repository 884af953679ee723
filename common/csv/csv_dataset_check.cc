#include "common/csv/csv_dataset_check.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/csv/csv_table.h"

namespace hpsearch::csv {

namespace {

// Rows per split as the trainer's loader deals them (data/dataset_loader.cc): the
// first `samples` rows, then the test split out of each class (csv files have none
// unless `test` is given), then the validation split out of what is left of each.
struct SplitCounts {
  std::size_t rows = 0, train = 0, validation = 0, test = 0, largest_group = 0;
};

SplitCounts CountSplits(const CsvTable& t, const vocabulary::DatasetOptions& d) {
  SplitCounts c;
  c.rows = d.samples > 0 ? std::min(t.rows, static_cast<std::size_t>(d.samples)) : t.rows;
  std::map<int, std::size_t> groups;  // by class; one group for regression
  for (std::size_t r = 0; r < c.rows; ++r) ++groups[t.regression ? 0 : t.labels[r]];
  const double test = d.test >= 0 ? d.test : 0;
  for (const auto& [label, n] : groups) {
    const std::size_t held_test = vocabulary::HeldOutRows(test, n);
    const std::size_t held_val = vocabulary::HeldOutRows(d.validation, n - held_test);
    c.test += held_test;
    c.validation += held_val;
    c.train += n - held_test - held_val;
    c.largest_group = std::max(c.largest_group, n);
  }
  return c;
}

// A table every trial would fail on: no training rows, or a validation (test) split
// asked for that would hold no row.
absl::Status CheckSplits(const CsvTable& t, const vocabulary::DatasetOptions& d) {
  const SplitCounts c = CountSplits(t, d);
  const auto refuse = [&](const std::string& what) {
    const std::string rule = t.regression
                                 ? "a split holds out round(fraction x rows), and one row when there are two or more"
                                 : absl::StrCat(
                                       "a split holds out round(fraction x rows) of each class, and one row of a class "
                                       "with two or more; the largest class here has ",
                                       c.largest_group);
    return absl::InvalidArgumentError(absl::StrCat(d.path, ": ", c.rows, c.rows == 1 ? " row is" : " rows are",
                                                   " too few to split: ", what, " (", rule, "); add rows"));
  };
  if (c.train == 0)
    return refuse(
        absl::StrCat("validation ", d.validation, " and test ", std::max(d.test, 0.0), " leave no row for training"));
  if (d.validation > 0 && c.validation == 0)
    return refuse(absl::StrCat("validation ", d.validation, " holds out no row"));
  if (d.test > 0 && c.test == 0) return refuse(absl::StrCat("test ", d.test, " holds out no row"));
  return absl::OkStatus();
}

}  // namespace

std::string CheckedCsv::Summary() const {
  return absl::StrCat(rows, " rows, ", features, " features, ",
                      classes > 0 ? absl::StrCat(classes, " classes") : std::string("regression"));
}

absl::StatusOr<CheckedCsv> CheckCsvDataset(const vocabulary::DatasetOptions& d, const std::string& file) {
  auto table = ReadCsvTableFile(file, CsvOptions{d.target, d.task}, d.path);
  if (!table.ok()) return table.status();
  if (auto st = CheckSplits(*table, d); !st.ok()) return st;
  CheckedCsv out{d, table->rows, table->feature_names.size(), table->class_names.size()};
  out.dataset.task = table->task();
  return out;
}

}  // namespace hpsearch::csv
