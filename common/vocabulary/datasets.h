// The dataset catalogue and the `dataset:` block of a spec or trial file, as every
// part of hpsearch understands it: which datasets exist, their shapes, and the
// options that select and split one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/util/value.h"
#include "common/vocabulary/conv_stack.h"

namespace hpsearch::vocabulary {

struct DatasetOptions {
  std::string name;         // spiral, moons, circles, xor, blobs, regression,
                            // fashion-mnist, iris, wine, breast_cancer, digits,
                            // diabetes, csv
  double validation = 0.1;  // fraction of the training data held out
  double test = -1;         // fraction held out as test (<0: dataset default)
  std::string path;         // csv: file (relative to the data dir)
  std::string target;       // csv: target column (default: last)
  std::string task;         // csv: classification | regression | "" (infer)
  int64_t samples = 0;      // synthetic: count (default 1000); real: first N rows
  double noise = -1;        // synthetic: generator noise (<0: generator default)
  int classes = 0;          // spiral, blobs (default 3)
  int features = 0;         // blobs (2), regression (4)
  uint64_t seed = 0;        // generator and split seed

  // A canonical text form: equal for equal options (the cache key).
  std::string CacheKey() const;
};

// The block's fields by name (as read from YAML or JSON) → options; errors name the
// field as `dataset.FIELD` (unknown keys with a did-you-mean).
absl::StatusOr<DatasetOptions> DatasetFromFields(const Params& fields);
// The checks that do not depend on how the block was written: a known name, csv
// rules, ranges. OK for options DatasetFromFields made.
absl::Status ValidateDataset(const DatasetOptions& o);

// Rows a split holds out of a group of n (one class when stratified, else all the
// rows): round(fraction·n), and at least one when fraction > 0 and n >= 2. The
// trainer's splitter (data/split.cc) deals rows by it and the submit check of a CSV
// (csv/csv_dataset_check.cc) counts with it, so they agree on what can be split.
std::size_t HeldOutRows(double fraction, std::size_t n);

// Names of the built-in datasets (for validation messages).
const std::vector<std::string>& BuiltinDatasetNames();

// Input features of a known dataset (0: depends on the file, e.g. csv).
int KnownInputs(const DatasetOptions& o);
// The image shape of a known dataset (fashion-mnist 1×28×28, digits 1×8×8); flat
// (all 0) for tabular data, a CSV included.
ConvShape KnownImage(const DatasetOptions& o);
// Output units the network needs: classes, or 1 for regression (0: unknown, csv).
int KnownOutputs(const DatasetOptions& o);
// Whether a known dataset is a regression task (false for classification and csv).
bool KnownRegression(const std::string& name);

}  // namespace hpsearch::vocabulary
