#include "worker/data/dataset_loader.h"

#include <sys/stat.h>

#include <filesystem>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "common/util/printable.h"
#include "worker/data/builtin_data.h"
#include "worker/data/csv_loader.h"
#include "worker/data/idx_loader.h"
#include "worker/data/split.h"
#include "worker/data/synthetic.h"

namespace hpsearch::data {

namespace fs = std::filesystem;

std::size_t Dataset::MemoryBytes() const {
  return sizeof(float) * (x.size() + targets.size() + x_test.size() + test_targets.size()) +
         sizeof(int32_t) * (labels.size() + test_labels.size() + train_rows.size() + val_rows.size());
}

absl::StatusOr<std::string> ResolveDataPath(const std::string& path, const DataEnvironment& env) {
  if (path.empty()) return absl::InvalidArgumentError("dataset.path: is empty");
  std::error_code ec;
  fs::path resolved;
  if (env.data_dir.empty()) {
    resolved = fs::weakly_canonical(fs::path(path), ec);
  } else {
    const fs::path root = fs::weakly_canonical(fs::path(env.data_dir), ec);
    if (ec) return absl::FailedPreconditionError("the server's --data-dir does not exist");
    const fs::path p(path);
    resolved = fs::weakly_canonical(p.is_absolute() ? p : root / p, ec);
    auto rel = resolved.lexically_relative(root);
    if (ec || rel.empty() || *rel.begin() == "..")
      return absl::PermissionDeniedError(
          absl::StrCat("dataset.path: ", Quoted(path), " is outside the data directory"));
  }
  struct stat st;
  if (stat(resolved.c_str(), &st) != 0)
    return absl::NotFoundError(absl::StrCat("dataset.path: ", Quoted(path), " does not exist"));
  if (!S_ISREG(st.st_mode))
    return absl::InvalidArgumentError(absl::StrCat("dataset.path: ", Quoted(path), " is not a regular file"));
  return resolved.string();
}

namespace {

void KeepFirstRows(Dataset& d, int64_t n) {
  if (n <= 0 || n >= d.x.rows()) return;
  d.x.conservativeResize(n, Eigen::NoChange);
  if (!d.labels.empty()) d.labels.resize(n);
  if (d.targets.size() > 0) d.targets.conservativeResize(n, Eigen::NoChange);
}

// Moves the rows in `held` of the training file into the test split.
void CarveTest(Dataset& d, const Split& s) {
  auto take = [](const nn::Matrix& m, const std::vector<int32_t>& rows) {
    nn::Matrix out(static_cast<Eigen::Index>(rows.size()), m.cols());
    for (std::size_t i = 0; i < rows.size(); ++i) out.row(i) = m.row(rows[i]);
    return out;
  };
  d.x_test = take(d.x, s.held);
  d.x = take(d.x, s.kept);
  if (d.task == Task::kClassification) {
    std::vector<int32_t> test, kept;
    for (int32_t r : s.held) test.push_back(d.labels[r]);
    for (int32_t r : s.kept) kept.push_back(d.labels[r]);
    d.test_labels = std::move(test);
    d.labels = std::move(kept);
  } else {
    d.test_targets = take(d.targets, s.held);
    d.targets = take(d.targets, s.kept);
  }
}

absl::Status LoadFashionMnist(const DatasetOptions& o, const DataEnvironment& env, Dataset& d) {
  const std::string dir = env.fashion_mnist_dir;
  auto train = ReadIdxImages(dir + "/train-images-idx3-ubyte.gz", o.samples);
  if (!train.ok())
    return absl::FailedPreconditionError(absl::StrCat("dataset fashion-mnist: ", train.status().message(),
                                                      " (install Debian's dataset-fashion-mnist package)"));
  auto labels = ReadIdxLabels(dir + "/train-labels-idx1-ubyte.gz", o.samples);
  if (!labels.ok()) return labels.status();
  auto test = ReadIdxImages(dir + "/t10k-images-idx3-ubyte.gz");
  if (!test.ok()) return test.status();
  auto test_labels = ReadIdxLabels(dir + "/t10k-labels-idx1-ubyte.gz");
  if (!test_labels.ok()) return test_labels.status();
  d.x = std::move(train->pixels);
  d.labels = std::move(*labels);
  d.x_test = std::move(test->pixels);
  d.test_labels = std::move(*test_labels);
  d.image_channels = 1;
  d.image_height = train->rows;
  d.image_width = train->cols;
  d.num_classes = 10;
  d.class_names = {"t-shirt", "trouser", "pullover", "dress", "coat",
                   "sandal",  "shirt",   "sneaker",  "bag",   "ankle-boot"};
  return absl::OkStatus();
}

absl::Status LoadRaw(const DatasetOptions& o, const DataEnvironment& env, Dataset& d, double& default_test) {
  default_test = 0;
  if (IsSynthetic(o.name)) return GenerateSynthetic(o, d);
  if (o.name == "fashion-mnist") return LoadFashionMnist(o, env, d);
  default_test = 0.2;
  CsvOptions csv{o.target, o.task};
  if (o.name == "csv") {
    auto path = ResolveDataPath(o.path, env);
    if (!path.ok()) return path.status();
    default_test = 0;
    return LoadCsvFile(*path, csv, d, o.path);
  }
  const std::string_view text = BuiltinCsv(o.name);
  if (text.empty()) return absl::InvalidArgumentError(absl::StrCat("dataset.name: unknown ", Quoted(o.name)));
  if (o.name == "diabetes")
    csv.task = "regression";
  else
    csv.task = "classification";
  auto st = ParseCsv(text, o.name + ".csv", csv, d);
  if (st.ok() && o.name == "digits") {
    // 8x8 images with intensities 0..16: scaled to [0, 1] like fashion-mnist's pixels.
    d.image_channels = 1;
    d.image_height = d.image_width = 8;
    d.x /= 16.0f;
  }
  return st;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Dataset>> LoadDataset(const DatasetOptions& o, const DataEnvironment& env) {
  auto d = std::make_shared<Dataset>();
  double default_test = 0;
  if (auto st = LoadRaw(o, env, *d, default_test); !st.ok()) return st;
  d->name = o.name;
  if (o.name != "fashion-mnist" && !IsSynthetic(o.name)) KeepFirstRows(*d, o.samples);
  const bool cls = d->task == Task::kClassification;
  const double test = o.test >= 0 ? o.test : default_test;
  if (test > 0 && d->x_test.rows() == 0) {
    std::vector<int32_t> all(d->x.rows());
    std::iota(all.begin(), all.end(), 0);
    CarveTest(*d, SplitRows(all, cls ? d->labels : std::vector<int32_t>{}, test, o.seed ^ 0x7e57));
  }
  std::vector<int32_t> all(d->x.rows());
  std::iota(all.begin(), all.end(), 0);
  Split s = SplitRows(all, cls ? d->labels : std::vector<int32_t>{}, o.validation, o.seed);
  d->train_rows = std::move(s.kept);
  d->val_rows = std::move(s.held);
  if (d->train_rows.empty())
    return absl::InvalidArgumentError(absl::StrCat("dataset ", o.name, ": no training rows left"));
  return std::shared_ptr<const Dataset>(std::move(d));
}

absl::StatusOr<std::shared_ptr<const Dataset>> DatasetCache::Get(const DatasetOptions& options) {
  std::shared_ptr<Entry> entry;
  const std::string key = options.CacheKey();
  {
    std::lock_guard lock(mu_);
    auto& slot = entries_[key];
    if (!slot) slot = std::make_shared<Entry>();
    entry = slot;
  }
  std::call_once(entry->once, [&] { entry->result = LoadDataset(options, env_); });
  if (!entry->result.ok()) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second == entry) entries_.erase(it);  // retry next time
  }
  return entry->result;
}

}  // namespace hpsearch::data
