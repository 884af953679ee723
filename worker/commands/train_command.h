// `hpsearch-worker train --config TRIAL.yaml [--json]`: trains one configuration
// locally and prints per-epoch progress and a summary (or one JSON object).
#pragma once

#include <iosfwd>
#include <string>

namespace hpsearch::commands {

struct TrainCommandOptions {
  std::string config_path;
  bool json = false;
  std::string data_dir;  // where relative csv paths resolve ("" = current directory)
  std::string fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";
  double memory_limit_mb = 2048;  // a trial estimated above this is refused
};

// Returns the process exit code: 0 completed, 1 the trial failed, 2 bad config.
int RunTrainCommand(const TrainCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace hpsearch::commands
