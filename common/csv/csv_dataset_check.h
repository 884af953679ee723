// A spec's `dataset: {name: csv}` block checked against its file before any trial
// runs: the server does it at submit (so a typo'd target column or a missing value
// is refused with exit 2 instead of failing every trial), `hpsearch plan` on a file it
// can see. The file is read with the loader's own code (csv/csv_table).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/vocabulary/datasets.h"

namespace hpsearch::csv {

struct CheckedCsv {
  // The block with `task` filled in when it was left to inference, so the
  // objective's default (val_accuracy or val_loss) is known before the first trial.
  vocabulary::DatasetOptions dataset;
  std::size_t rows = 0, features = 0, classes = 0;  // classes: 0 for regression

  // "150 rows, 4 features, 3 classes" or "... , regression".
  std::string Summary() const;
};

// `file` is where `d.path` resolved to; errors name `d.path` as the user wrote it.
// Besides the table's own errors (csv_table.h), INVALID_ARGUMENT for a table the
// trainer could not split as `d` asks — no row left for training, or a validation or
// test split asked for that would get no row (vocabulary::HeldOutRows per class,
// after `samples`) — naming the file, its row count and the fraction.
absl::StatusOr<CheckedCsv> CheckCsvDataset(const vocabulary::DatasetOptions& d, const std::string& file);

}  // namespace hpsearch::csv
