#include "worker/commands/train_command.h"

#include <chrono>
#include <filesystem>

#include <cstdio>
#include <iostream>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "common/util/value_json.h"
#include "worker/commands/result_json.h"
#include "worker/commands/trial_file.h"
#include "worker/data/dataset_loader.h"
#include "worker/trainer/trainer.h"

namespace hpsearch::commands {

namespace {

std::string FormatMetrics(const std::map<std::string, double>& m) {
  std::string s;
  for (const auto& [k, v] : m) absl::StrAppendFormat(&s, "  %s %.4f", k, v);
  return s;
}

// Where a CSV that was not found was looked for, and how to look elsewhere.
std::string WhereCsvWasLooked(const std::string& path, const TrainCommandOptions& o) {
  const std::filesystem::path p(path);
  const std::filesystem::path looked =
      p.is_absolute() ? p : std::filesystem::absolute(o.data_dir.empty() ? p : std::filesystem::path(o.data_dir) / p);
  return absl::StrFormat("  looked for %s; a relative path resolves in %s (--data-dir DIR resolves it in DIR)\n",
                         looked.lexically_normal().string(),
                         o.data_dir.empty() ? "the current directory" : "--data-dir " + o.data_dir);
}

}  // namespace

int RunTrainCommand(const TrainCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto trial = LoadTrialFile(o.config_path);
  if (!trial.ok()) {
    err << "error: " << trial.status().message() << "\n";
    return 2;
  }
  data::DataEnvironment env{o.data_dir, o.fashion_mnist_dir};
  const auto load_start = std::chrono::steady_clock::now();
  auto dataset = data::LoadDataset(trial->dataset, env);
  const double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  if (!dataset.ok()) {
    err << "error: " << dataset.status().message() << "\n";
    if (absl::IsNotFound(dataset.status()) && !trial->dataset.path.empty())
      err << WhereCsvWasLooked(trial->dataset.path, o);
    return 2;
  }
  std::ostream& progress = o.json ? err : out;
  const auto& d = **dataset;
  progress << absl::StrFormat("dataset %s: %d train, %d validation, %d test rows, %d features (loaded in %.2fs)\n",
                              d.name, d.train_rows.size(), d.val_rows.size(), d.x_test.rows(), d.features(),
                              load_seconds);
  trainer::TrainOptions options;
  options.seed = trial->seed;
  options.monitor = trial->monitor;
  options.maximize = trial->maximize;
  options.memory_limit_bytes = static_cast<std::size_t>(o.memory_limit_mb * (1 << 20));
  const int epochs = trial->config.epochs;
  options.on_epoch = [&](const trainer::EpochRecord& e, const trainer::LayerStats&) {
    progress << absl::StrFormat("epoch %*d/%d  lr %.3g%s  (%.2fs)\n", std::to_string(epochs).size(), e.epoch, epochs,
                                e.lr, FormatMetrics(e.metrics), e.seconds);
    progress.flush();
    return true;
  };
  const trainer::TrainResult r = trainer::Train(trial->config, d, options);
  if (o.json) {
    nlohmann::json j = ResultToJson(r);
    j["params"] = ToJson(trial->params);
    j["dataset"] = d.name;
    out << j.dump() << "\n";
  } else if (r.outcome == trainer::TrialOutcome::kCompleted) {
    out << absl::StrFormat("completed: %d parameters, best epoch %d, %.1fs\n", r.parameter_count, r.best_epoch,
                           r.seconds);
    out << "final:" << FormatMetrics(r.metrics) << "\n";
  } else {
    out << "failed: " << r.reason << "\n";
  }
  return r.outcome == trainer::TrialOutcome::kCompleted ? 0 : 1;
}

}  // namespace hpsearch::commands
