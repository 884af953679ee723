#include "common/vocabulary/datasets.h"

#include <algorithm>
#include <map>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/util/did_you_mean.h"
#include "common/util/printable.h"

namespace hpsearch::vocabulary {

const std::vector<std::string>& BuiltinDatasetNames() {
  static const std::vector<std::string> names = {"spiral",     "moons",         "circles", "xor",  "blobs",
                                                 "regression", "fashion-mnist", "iris",    "wine", "breast_cancer",
                                                 "digits",     "diabetes",      "csv"};
  return names;
}

std::string DatasetOptions::CacheKey() const {
  return absl::StrCat(name, "|", validation, "|", test, "|", path, "|", target, "|", task, "|", samples, "|", noise,
                      "|", classes, "|", features, "|", seed);
}

namespace {

absl::Status FieldError(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("dataset.", field, ": ", what));
}

absl::StatusOr<double> GetNumber(const Value& v, absl::string_view field) {
  if (!v.is_number()) return FieldError(field, "must be a number");
  const double d = v.number();
  if (!std::isfinite(d)) return FieldError(field, "must be finite");
  return d;
}

absl::StatusOr<int64_t> GetInt(const Value& v, absl::string_view field) {
  auto d = GetNumber(v, field);
  if (!d.ok()) return d.status();
  if (*d != std::floor(*d)) return FieldError(field, "must be an integer");
  if (*d < 0) return FieldError(field, "must be >= 0");
  return static_cast<int64_t>(*d);
}

absl::StatusOr<std::string> GetString(const Value& v, absl::string_view field) {
  if (!v.is_string()) return FieldError(field, "must be a string");
  return v.as_string();
}

}  // namespace

absl::StatusOr<DatasetOptions> DatasetFromFields(const Params& fields) {
  static const std::vector<std::string> keys = {"name",    "validation", "test",    "path",     "target", "task",
                                                "samples", "noise",      "classes", "features", "seed"};
  DatasetOptions o;
  for (const auto& [key, v] : fields) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      return FieldError(key, "unknown key" + DidYouMean(key, keys));
    absl::Status st;
    auto num = [&](double& out, double lo, double hi) {
      auto d = GetNumber(v, key);
      if (!d.ok()) return d.status();
      if (*d < lo || *d > hi) return FieldError(key, absl::StrCat("must be in [", lo, ", ", hi, "]"));
      out = *d;
      return absl::OkStatus();
    };
    auto integer = [&](auto& out, int64_t hi) {
      auto d = GetInt(v, key);
      if (!d.ok()) return d.status();
      if (*d > hi) return FieldError(key, absl::StrCat("must be <= ", hi));
      out = static_cast<std::remove_reference_t<decltype(out)>>(*d);
      return absl::OkStatus();
    };
    auto str = [&](std::string& out) {
      auto s = GetString(v, key);
      if (!s.ok()) return s.status();
      out = *s;
      return absl::OkStatus();
    };
    if (key == "name")
      st = str(o.name);
    else if (key == "validation")
      st = num(o.validation, 0.0, 0.9);
    else if (key == "test")
      st = num(o.test, 0.0, 0.9);
    else if (key == "path")
      st = str(o.path);
    else if (key == "target")
      st = str(o.target);
    else if (key == "task")
      st = str(o.task);
    else if (key == "samples")
      st = integer(o.samples, 10'000'000);
    else if (key == "noise")
      st = num(o.noise, 0.0, 100.0);
    else if (key == "classes")
      st = integer(o.classes, 1000);
    else if (key == "features")
      st = integer(o.features, 100'000);
    else if (key == "seed") {
      auto d = GetInt(v, key);
      if (!d.ok()) return d.status();
      o.seed = static_cast<uint64_t>(*d);
    }
    if (!st.ok()) return st;
  }
  if (auto st = ValidateDataset(o); !st.ok()) return st;
  return o;
}

absl::Status ValidateDataset(const DatasetOptions& o) {
  if (o.name.empty()) return FieldError("name", "is required");
  const auto& names = BuiltinDatasetNames();
  if (std::find(names.begin(), names.end(), o.name) == names.end())
    return FieldError("name", absl::StrCat("unknown dataset ", Quoted(o.name), DidYouMean(o.name, names),
                                           "; known: ", absl::StrJoin(names, ", ")));
  if (o.name == "csv" && o.path.empty()) return FieldError("path", "is required for csv");
  if (o.name != "csv" && !o.path.empty()) return FieldError("path", "only applies to name: csv");
  if (!o.task.empty() && o.task != "classification" && o.task != "regression")
    return FieldError("task", "must be classification or regression");
  if (o.classes == 1) return FieldError("classes", "must be >= 2");
  if (!(o.validation >= 0 && o.validation <= 0.9)) return FieldError("validation", "must be in [0, 0.9]");
  if (o.test > 0.9) return FieldError("test", "must be in [0, 0.9]");
  if (o.validation + std::max(0.0, o.test) > 0.9)
    return FieldError("validation", "validation + test must leave at least 10% for training");
  if (o.samples < 0 || o.samples > 10'000'000) return FieldError("samples", "must be in [0, 10000000]");
  if (o.noise > 100) return FieldError("noise", "must be in [0, 100]");
  if (o.classes < 0 || o.classes > 1000) return FieldError("classes", "must be in [2, 1000]");
  if (o.features < 0 || o.features > 100'000) return FieldError("features", "must be in [0, 100000]");
  return absl::OkStatus();
}

int KnownInputs(const DatasetOptions& o) {
  static const std::map<std::string, int> inputs = {
      {"spiral", 2}, {"moons", 2}, {"circles", 2},        {"xor", 2},     {"fashion-mnist", 784},
      {"iris", 4},   {"wine", 13}, {"breast_cancer", 30}, {"digits", 64}, {"diabetes", 10}};
  if (o.name == "blobs") return o.features > 0 ? o.features : 2;
  if (o.name == "regression") return o.features > 0 ? o.features : 4;
  auto it = inputs.find(o.name);
  return it == inputs.end() ? 0 : it->second;
}

ConvShape KnownImage(const DatasetOptions& o) {
  if (o.name == "fashion-mnist") return {1, 28, 28};
  if (o.name == "digits") return {1, 8, 8};
  return {};
}

int KnownOutputs(const DatasetOptions& o) {
  static const std::map<std::string, int> classes = {{"moons", 2},          {"circles", 2}, {"xor", 2},
                                                     {"fashion-mnist", 10}, {"iris", 3},    {"wine", 3},
                                                     {"breast_cancer", 2},  {"digits", 10}};
  if (KnownRegression(o.name)) return 1;
  if (o.name == "spiral" || o.name == "blobs") return o.classes > 0 ? o.classes : 3;
  auto it = classes.find(o.name);
  return it == classes.end() ? 0 : it->second;
}

bool KnownRegression(const std::string& name) { return name == "regression" || name == "diabetes"; }

std::size_t HeldOutRows(double fraction, std::size_t n) {
  auto take = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
  if (fraction > 0 && take == 0 && n >= 2) take = 1;
  return std::min(take, n);
}

}  // namespace hpsearch::vocabulary
