// The `dataset:` block of a spec or trial file, as the trainer understands it.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace hpsearch::data {

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

// Parses and validates a JSON object; errors name the field as `dataset.FIELD`.
absl::StatusOr<DatasetOptions> ParseDatasetOptions(const nlohmann::json& j);

// Names of the built-in datasets (for validation messages).
const std::vector<std::string>& BuiltinDatasetNames();

}  // namespace hpsearch::data
