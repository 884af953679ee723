// Turns DatasetOptions into a loaded, split Dataset, and caches loaded datasets so
// every trial in a process shares one read-only copy.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "common/vocabulary/datasets.h"
#include "worker/data/dataset.h"

namespace hpsearch::data {

using vocabulary::DatasetOptions;

struct DataEnvironment {
  // User CSV paths are resolved under this directory and may not leave it.
  // Empty: relative paths resolve against the current directory, anything goes
  // (local `hpsearch-worker train` use).
  std::string data_dir;
  // Where the IDX files of Debian's dataset-fashion-mnist live.
  std::string fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";
};

// Loads (reads or generates) and splits. Errors name the field or file at fault.
absl::StatusOr<std::shared_ptr<const Dataset>> LoadDataset(const DatasetOptions& options, const DataEnvironment& env);

// Resolves a user CSV path inside env.data_dir: no `..` escape, no absolute path
// outside, no symlink out, regular files only.
absl::StatusOr<std::string> ResolveDataPath(const std::string& path, const DataEnvironment& env);

// Thread-safe; loads each distinct dataset once (concurrent requests for the same
// dataset wait for the first load). Failed loads are not cached.
class DatasetCache {
 public:
  explicit DatasetCache(DataEnvironment env) : env_(std::move(env)) {}
  absl::StatusOr<std::shared_ptr<const Dataset>> Get(const DatasetOptions& options);
  const DataEnvironment& env() const { return env_; }

 private:
  struct Entry {
    std::once_flag once;
    absl::StatusOr<std::shared_ptr<const Dataset>> result;
  };
  DataEnvironment env_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;
};

}  // namespace hpsearch::data
