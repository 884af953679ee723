// Runs one leased trial: parameters → TrialConfig, dataset from the shared cache,
// training with a report after every epoch, then completion or failure. A lease for
// the user's own program (Lease::command) goes to RunCommand (command_runner.h).
//
// The same code serves the server's embedded pool (the sink calls the scheduler in
// process) and remote hpsearch-worker processes (the sink calls WorkerService), so
// both paths behave identically.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>

#include "common/protocol/epoch_report.h"
#include "common/protocol/lease.h"
#include "common/protocol/trial_result.h"
#include "worker/data/dataset_loader.h"
#include "worker/nn/step_threads.h"

namespace hpsearch::runtime {

class TrialSink {
 public:
  virtual ~TrialSink() = default;
  // After every epoch. Returns false to stop training (the trial was cancelled or
  // pruned, or its lease is gone); the runner then reports nothing more.
  virtual bool OnEpoch(const EpochMetrics& epoch, const ActivationStats& stats) = 0;
  // The trial's network, once built (before its first OnEpoch): reported with every
  // epoch, so a trial that never completes keeps its size. Default: dropped.
  virtual void OnParameterCount(int64_t /*count*/) {}
  // `result` has everything but its key.
  virtual void OnComplete(const TrialResult& result) = 0;
  // permanent: the trial's own fault (bad config, diverged, too big); otherwise the
  // trial is handed back to run again elsewhere (the runner was aborted).
  virtual void OnFail(const std::string& reason, bool permanent) = 0;
  // A command trial's output as it comes (before the completion or failure, the
  // rest of it). Default: dropped.
  virtual void OnOutput(const std::vector<OutputChunk>& /*chunks*/) {}
};

struct CommandEnvironment;
class Launcher;

struct RunnerOptions {
  std::size_t memory_limit_bytes = std::size_t{2} << 30;
  // Set to stop the trial at its next epoch boundary and hand it back (shutdown).
  const std::atomic<bool>* abort = nullptr;
  // Set when the trial's source said stop outside a report (a heartbeat's answer: the
  // trial was cancelled): a command trial's program is ended at once. Optional.
  const std::atomic<bool>* stop = nullptr;
  // How command trials run here; null: this process runs none (a command lease fails).
  const CommandEnvironment* commands = nullptr;
  // The slot's launcher for command trials, kept between them; null: one per trial.
  Launcher* launcher = nullptr;
  // The threads its steps may use now (trainer::TrainOptions::step_threads).
  std::function<nn::StepThreads()> step_threads;
};

void RunLease(const Lease& lease, data::DatasetCache& datasets, const RunnerOptions& options, TrialSink& sink);

}  // namespace hpsearch::runtime
