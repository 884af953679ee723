#include "runtime/trial_file.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "util/yaml_json.h"

namespace hpsearch::runtime {

bool MetricMaximized(const std::string& metric) {
  return absl::EndsWith(metric, "accuracy") || absl::EndsWith(metric, "r2");
}

absl::StatusOr<TrialFile> ParseTrialFile(const nlohmann::json& doc, const std::string& source) {
  if (!doc.is_object())
    return absl::InvalidArgumentError(absl::StrCat(source, ": expected a mapping of settings"));
  TrialFile t;
  if (!doc.contains("dataset"))
    return absl::InvalidArgumentError(absl::StrCat(source, ": dataset: is required"));
  auto ds = data::ParseDatasetOptions(doc["dataset"]);
  if (!ds.ok()) return absl::InvalidArgumentError(absl::StrCat(source, ": ", ds.status().message()));
  t.dataset = *ds;
  t.params = nlohmann::json::object();
  for (const auto& [k, v] : doc.items()) {
    if (k == "dataset") continue;
    if (k == "seed") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0)
        return absl::InvalidArgumentError(absl::StrCat(source, ": seed: must be a non-negative integer"));
      t.seed = v.get<uint64_t>();
    } else if (k == "objective") {
      if (!v.is_string())
        return absl::InvalidArgumentError(absl::StrCat(source, ": objective: must be a metric name"));
      t.monitor = v.get<std::string>();
      t.maximize = MetricMaximized(t.monitor);
    } else {
      t.params[k] = v;
    }
  }
  auto config = trainer::ParseTrialConfig(t.params);
  if (!config.ok()) return absl::InvalidArgumentError(absl::StrCat(source, ": ", config.status().message()));
  t.config = *config;
  return t;
}

absl::StatusOr<TrialFile> LoadTrialFile(const std::string& path) {
  auto node = LoadYamlFile(path);
  if (!node.ok()) return node.status();
  return ParseTrialFile(YamlToJson(*node), path);
}

}  // namespace hpsearch::runtime
