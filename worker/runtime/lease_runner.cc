#include "worker/runtime/lease_runner.h"

#include "absl/strings/str_cat.h"
#include "worker/runtime/command_runner.h"
#include "worker/trainer/trainer.h"
#include "worker/trainer/trial_config.h"

namespace hpsearch::runtime {

namespace {

ActivationStats Stats(const trainer::LayerStats& s) {
  return ActivationStats{s.epoch, std::vector<double>(s.mean.begin(), s.mean.end()),
                         std::vector<double>(s.std.begin(), s.std.end())};
}

}  // namespace

void RunLease(const Lease& lease, data::DatasetCache& datasets, const RunnerOptions& options, TrialSink& sink) {
  if (lease.command) {
    if (options.commands == nullptr) {
      return sink.OnFail("this worker runs no commands (start it with --commands DIR)", false);
    }
    return RunCommand(lease, options, sink);
  }
  auto config = trainer::ParseTrialConfig(lease.params);
  if (!config.ok()) return sink.OnFail(std::string(config.status().message()), true);
  auto dataset = datasets.Get(lease.dataset);
  if (!dataset.ok()) return sink.OnFail(std::string(dataset.status().message()), true);

  trainer::TrainOptions train;
  train.seed = lease.seed;
  train.monitor = lease.objective_metric;
  train.maximize = lease.objective_maximize;
  train.memory_limit_bytes = options.memory_limit_bytes;
  train.step_threads = options.step_threads;
  bool aborted = false;
  bool stopped = false;
  train.on_epoch = [&](const trainer::EpochRecord& e, const trainer::LayerStats& s) {
    if (options.abort && options.abort->load(std::memory_order_relaxed)) {
      aborted = true;
      return false;
    }
    if (e.parameter_count > 0) sink.OnParameterCount(e.parameter_count);
    EpochMetrics m;
    m.epoch = e.epoch;
    m.metrics.insert(e.metrics.begin(), e.metrics.end());
    m.lr = e.lr;
    m.seconds = e.seconds;
    if (!sink.OnEpoch(m, Stats(s))) {
      stopped = true;
      return false;
    }
    return true;
  };
  const trainer::TrainResult r = trainer::Train(*config, **dataset, train);
  if (stopped) return;
  if (aborted) return sink.OnFail("the worker is shutting down", false);
  if (r.outcome != trainer::TrialOutcome::kCompleted) return sink.OnFail(r.reason, true);
  TrialResult done;
  done.metrics.insert(r.metrics.begin(), r.metrics.end());
  done.parameter_count = r.parameter_count;
  for (const auto& s : r.diagnostics) {
    if (s.epoch == 0) done.diagnostics.push_back(Stats(s));
  }
  sink.OnComplete(done);
}

}  // namespace hpsearch::runtime
