#include "common/vocabulary/metrics.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hpsearch::vocabulary {

Task TaskOf(const DatasetOptions& d) {
  if (d.name == "csv") {
    if (d.task == "regression") return Task::kRegression;
    if (d.task == "classification") return Task::kClassification;
    return Task::kUnknown;
  }
  return KnownRegression(d.name) ? Task::kRegression : Task::kClassification;
}

std::vector<std::string> MetricNames(Task task, const std::string& split) {
  std::vector<std::string> names = {absl::StrCat(split, "loss")};
  if (task != Task::kRegression) names.push_back(absl::StrCat(split, "accuracy"));
  if (task != Task::kClassification) {
    names.push_back(absl::StrCat(split, "mse"));
    names.push_back(absl::StrCat(split, "r2"));
  }
  return names;
}

std::vector<std::string> SearchableMetrics(Task task) {
  std::vector<std::string> names;
  for (const char* split : {"train_", "val_"}) {
    for (auto& n : MetricNames(task, split)) names.push_back(std::move(n));
  }
  return names;
}

std::string DefaultObjective(Task task) { return task == Task::kRegression ? "val_loss" : "val_accuracy"; }

bool MaximizedByDefault(const std::string& metric) {
  return absl::EndsWith(metric, "accuracy") || absl::EndsWith(metric, "r2");
}

}  // namespace hpsearch::vocabulary
