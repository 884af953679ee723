// The metrics a trial reports, by task, and the default objective.
#pragma once

#include <string>
#include <vector>

#include "common/vocabulary/datasets.h"

namespace hpsearch::vocabulary {

enum class Task { kClassification, kRegression, kUnknown };  // kUnknown: a csv not read yet

Task TaskOf(const DatasetOptions& dataset);

// Per-epoch and final metrics: train_/val_ (and test_ at the end) × loss and
// accuracy (classification) or loss, mse and r2 (regression); both sets when unknown.
std::vector<std::string> MetricNames(Task task, const std::string& split_prefix = "");
// train_ and val_ metrics (what an objective may name).
std::vector<std::string> SearchableMetrics(Task task);

// val_accuracy for classification, val_loss for regression.
std::string DefaultObjective(Task task);
// Larger is better: accuracy and r2.
bool MaximizedByDefault(const std::string& metric);

}  // namespace hpsearch::vocabulary
