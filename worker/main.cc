// hpsearch-worker: trains trials.
//   hpsearch-worker --server ADDR [--slots N] [--token T]  remote worker for a server
//   hpsearch-worker train --config TRIAL.yaml [--json]    one trial, locally
//   hpsearch-worker bench [--hidden 256,128] ...          trainer throughput
#include <cstdlib>
#include <iostream>

#include "CLI/CLI.hpp"
#include "common/util/failpoint.h"
#include "worker/commands/bench_command.h"
#include "worker/commands/train_command.h"
#include "worker/remote/remote_worker.h"

namespace {

// Serving a server: the flags of the remote worker. Returns --server's option.
CLI::Option* AddRemoteWorkerFlags(CLI::App& app, hpsearch::remote::RemoteWorkerConfig& remote) {
  CLI::Option* server_opt = app.add_option("--server", remote.remote.server, "Run as a remote worker for this server")
                                ->envname("HPSEARCH_SERVER");
  app.add_option("--step-threads", remote.step_threads,
                 "Threads a trial may use when it runs alone (idle slots' cores help; 1 = off)")
      ->check(CLI::Range(1, 64));
  app.add_option("--slots", remote.slots, "Trials at once (-1 = one per core)")
      ->envname("HPSEARCH_SLOTS")
      ->check(CLI::Range(-1, 4096))
      ->capture_default_str();
  app.add_option("--token", remote.remote.token, "Bearer token the server requires")->envname("HPSEARCH_TOKEN");
  app.add_option("--tls-ca", remote.remote.tls_ca, "Use TLS, trusting this CA certificate (PEM)")
      ->envname("HPSEARCH_TLS_CA");
  app.add_option("--id", remote.id, "Worker id (default: hostname-pid)")->envname("HPSEARCH_WORKER_ID");
  app.add_option("--commands", remote.commands,
                 "Run command trials (the user's own programs, trainer.command) from this directory")
      ->envname("HPSEARCH_COMMANDS");
  app.add_option("--state-dir", remote.state_dir, "Where command trials' attempt directories live")
      ->envname("HPSEARCH_STATE_DIR")
      ->capture_default_str();
  app.add_option("--data-dir", remote.data_dir, "Directory user CSV datasets are confined to")
      ->envname("HPSEARCH_DATA_DIR")
      ->capture_default_str();
  app.add_option("--fashion-mnist-dir", remote.fashion_mnist_dir, "Fashion-MNIST IDX files")
      ->envname("HPSEARCH_FASHION_MNIST_DIR")
      ->capture_default_str();
  app.add_option("--memory-limit-mb", remote.memory_limit_mb, "Estimated memory one trial may use")
      ->envname("HPSEARCH_MEMORY_LIMIT_MB")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--grace", remote.grace_seconds, "Seconds running trials get to finish on SIGTERM")
      ->envname("HPSEARCH_SHUTDOWN_GRACE")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  app.add_option("--timeout", remote.remote.call_timeout_seconds, "Deadline of each call to the server (s)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  return server_opt;
}

// `train`: one trial file, locally.
CLI::App* AddTrainCommand(CLI::App& app, hpsearch::commands::TrainCommandOptions& train) {
  CLI::App* train_cmd = app.add_subcommand("train", "Train one configuration locally");
  train_cmd->add_option("--config", train.config_path, "TRIAL.yaml: dataset, seed and settings")->required();
  train_cmd->add_flag("--json", train.json, "Print one JSON object with history and diagnostics");
  train_cmd->add_option("--data-dir", train.data_dir, "Directory relative csv paths resolve in");
  train_cmd->add_option("--fashion-mnist-dir", train.fashion_mnist_dir, "Fashion-MNIST IDX files")
      ->envname("HPSEARCH_FASHION_MNIST_DIR");
  train_cmd->add_option("--memory-limit-mb", train.memory_limit_mb, "Refuse trials whose estimated memory exceeds this")
      ->check(CLI::PositiveNumber);
  train_cmd->footer("Example:\n  hpsearch-worker train --config examples/trial.yaml");
  return train_cmd;
}

// `bench`: training throughput.
CLI::App* AddBenchCommand(CLI::App& app, hpsearch::commands::BenchOptions& bench) {
  CLI::App* bench_cmd = app.add_subcommand("bench", "Measure training throughput (JSON)");
  bench_cmd->add_option("--hidden", bench.hidden, "Hidden widths, e.g. 256,128")->delimiter(',');
  bench_cmd
      ->add_option("--layers", bench.layers,
                   "Conv and pool layers before the hidden ones, comma-separated, e.g. "
                   "\"conv filters=32 kernel=3 padding=same,pool max=2\" (1x28x28 images)")
      ->delimiter(',');
  bench_cmd->add_flag_callback(
      "--cnn",
      [&bench] {
        bench.layers = hpsearch::commands::BenchCnnLayers();
        bench.hidden = {128};
      },
      "The benchmark CNN of torch_cnn.py: conv 32, pool, conv 64, pool, dense 128 (give --batch)");
  bench_cmd->add_option("--batch", bench.batch, "Batch size");
  bench_cmd->add_option("--optimizer", bench.optimizer, "Optimizer");
  bench_cmd->add_option("--activation", bench.activation, "Activation");
  bench_cmd->add_option("--threads", bench.threads, "Concurrent trainers (one per slot)");
  bench_cmd->add_option("--step-threads", bench.step_threads,
                        "Threads each trainer's steps may use (2: a lone trial in a sweep's tail)");
  bench_cmd->add_flag("--all", bench.all,
                      "Every optimizer x batch 32/64/128, one and two trainers, as fractions of a GEMM ceiling");
  bench_cmd->add_option("--seconds", bench.seconds, "Measured seconds per trainer");
  bench_cmd->add_option("--samples", bench.samples, "Rows of synthetic training data");
  return bench_cmd;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hpsearch-worker: trains neural networks for hpsearch"};
  app.require_subcommand(0, 1);
  app.footer(
      "Examples:\n"
      "  hpsearch-worker --server 10.0.0.5:50051 --slots 4 --tls-ca ca.pem   # serve a server\n"
      "  hpsearch-worker train --config examples/trial.yaml                 # one trial, locally");
  hpsearch::remote::RemoteWorkerConfig remote;
  CLI::Option* server_opt = AddRemoteWorkerFlags(app, remote);

  bool list_failpoints = false;
  app.add_flag("--list-failpoints", list_failpoints,
               "Print every fail point (for HPSEARCH_FAILPOINTS=name[@n],...) and exit");

  hpsearch::commands::TrainCommandOptions train;
  CLI::App* train_cmd = AddTrainCommand(app, train);
  hpsearch::commands::BenchOptions bench;
  CLI::App* bench_cmd = AddBenchCommand(app, bench);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (list_failpoints) {
    for (std::string_view name : hpsearch::failpoint::Names()) std::cout << name << "\n";
    return 0;
  }
  if (*train_cmd) return hpsearch::commands::RunTrainCommand(train, std::cout, std::cerr);
  if (*bench_cmd) return hpsearch::commands::RunBenchCommand(bench, std::cout, std::cerr);
  if (server_opt->count() > 0 || std::getenv("HPSEARCH_SERVER")) return hpsearch::remote::RunRemoteWorker(remote);
  std::cerr << "error: give --server ADDR to serve a server, or a command (train, bench); see --help\n";
  return 2;
}
