// `hpsearch-worker --server ADDR --slots N`: a remote worker. Pulls trials from the
// server through WorkerService into N oneTBB slots (runtime::SlotPool), reports every
// epoch (its heartbeat), stops a trial when told, rides out server restarts and
// network drops with backoff, and on SIGTERM/SIGINT finishes or hands back its
// trials and exits 0.
#pragma once

#include <string>

#include "worker/remote/grpc_trial_source.h"

namespace hpsearch::remote {

struct RemoteWorkerConfig {
  RemoteOptions remote;
  int slots = -1;        // -1: one per core
  int step_threads = 2;  // a lone trial's threads (runtime::PoolOptions::max_step_threads)
  std::string id;        // default: hostname-pid
  std::string data_dir = ".";
  std::string fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";
  int64_t memory_limit_mb = 2048;
  double grace_seconds = 10;  // running trials may finish within this on SIGTERM
  // Run command trials (trainer.command) from this directory; "" = none (the server
  // then gives this worker none).
  std::string commands;
  std::string state_dir = "hpsearch-trials";  // command trials' attempt directories
};

int RunRemoteWorker(const RemoteWorkerConfig& config);

}  // namespace hpsearch::remote
