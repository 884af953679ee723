// hpsearch-worker: trains trials.
//   hpsearch-worker train --config TRIAL.yaml [--json]    one trial, locally
//   hpsearch-worker bench [--hidden 256,128] ...          trainer throughput
#include <iostream>

#include "CLI/CLI.hpp"
#include "runtime/bench_command.h"
#include "runtime/train_command.h"

int main(int argc, char** argv) {
  CLI::App app{"hpsearch-worker: trains neural networks for hpsearch"};
  app.require_subcommand(1);

  hpsearch::runtime::TrainCommandOptions train;
  auto* train_cmd = app.add_subcommand("train", "Train one configuration locally");
  train_cmd->add_option("--config", train.config_path, "TRIAL.yaml: dataset, seed and settings")
      ->required();
  train_cmd->add_flag("--json", train.json, "Print one JSON object with history and diagnostics");
  train_cmd->add_option("--data-dir", train.data_dir, "Directory relative csv paths resolve in");
  train_cmd->add_option("--fashion-mnist-dir", train.fashion_mnist_dir,
                        "Fashion-MNIST IDX files")
      ->envname("HPSEARCH_FASHION_MNIST_DIR");
  train_cmd->add_option("--memory-limit-mb", train.memory_limit_mb,
                        "Refuse trials whose estimated memory exceeds this")
      ->check(CLI::PositiveNumber);
  train_cmd->footer("Example:\n  hpsearch-worker train --config examples/trial.yaml");

  hpsearch::runtime::BenchOptions bench;
  auto* bench_cmd = app.add_subcommand("bench", "Measure training throughput (JSON)");
  bench_cmd->add_option("--hidden", bench.hidden, "Hidden widths, e.g. 256,128")->delimiter(',');
  bench_cmd->add_option("--batch", bench.batch, "Batch size");
  bench_cmd->add_option("--optimizer", bench.optimizer, "Optimizer");
  bench_cmd->add_option("--activation", bench.activation, "Activation");
  bench_cmd->add_option("--threads", bench.threads, "Concurrent trainers (one per slot)");
  bench_cmd->add_option("--seconds", bench.seconds, "Measured seconds per trainer");
  bench_cmd->add_option("--samples", bench.samples, "Rows of synthetic training data");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*train_cmd) return hpsearch::runtime::RunTrainCommand(train, std::cout, std::cerr);
  if (*bench_cmd) return hpsearch::runtime::RunBenchCommand(bench, std::cout, std::cerr);
  return 2;
}
