#include "runtime/lease_runner.h"

#include "absl/strings/str_cat.h"
#include "data/dataset_options.h"
#include "trainer/trainer.h"
#include "trainer/trial_config.h"
#include "util/dataset_spec_json.h"
#include "util/value_json.h"

namespace hpsearch::runtime {

namespace v1 = hpsearch::v1;

namespace {

v1::ActivationStats StatsProto(const trainer::LayerStats& s) {
  v1::ActivationStats p;
  p.set_epoch(s.epoch);
  for (double m : s.mean) p.add_mean(m);
  for (double x : s.std) p.add_std(x);
  return p;
}

}  // namespace

void RunLease(const v1::Lease& lease, data::DatasetCache& datasets, const RunnerOptions& options,
              TrialSink& sink) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : lease.params()) params[k] = ValueToJson(v);
  auto config = trainer::ParseTrialConfig(params);
  if (!config.ok()) return sink.OnFail(std::string(config.status().message()), true);
  auto dataset_options = data::ParseDatasetOptions(DatasetSpecToJson(lease.dataset()));
  if (!dataset_options.ok()) return sink.OnFail(std::string(dataset_options.status().message()), true);
  auto dataset = datasets.Get(*dataset_options);
  if (!dataset.ok()) return sink.OnFail(std::string(dataset.status().message()), true);

  trainer::TrainOptions train;
  train.seed = lease.seed();
  train.monitor = lease.objective_metric();
  train.maximize = lease.objective_maximize();
  train.memory_limit_bytes = options.memory_limit_bytes;
  bool aborted = false;
  bool stopped = false;
  train.on_epoch = [&](const trainer::EpochRecord& e, const trainer::LayerStats& s) {
    if (options.abort && options.abort->load(std::memory_order_relaxed)) {
      aborted = true;
      return false;
    }
    v1::EpochMetrics m;
    m.set_epoch(e.epoch);
    for (const auto& [k, v] : e.metrics) (*m.mutable_metrics())[k] = v;
    m.set_lr(e.lr);
    m.set_seconds(e.seconds);
    if (!sink.OnEpoch(m, StatsProto(s))) {
      stopped = true;
      return false;
    }
    return true;
  };
  const trainer::TrainResult r = trainer::Train(*config, **dataset, train);
  if (stopped) return;
  if (aborted) return sink.OnFail("the worker is shutting down", false);
  if (r.outcome != trainer::TrialOutcome::kCompleted) return sink.OnFail(r.reason, true);
  v1::CompleteTrialRequest done;
  for (const auto& [k, v] : r.metrics) (*done.mutable_metrics())[k] = v;
  done.set_parameter_count(r.parameter_count);
  for (const auto& s : r.diagnostics) {
    if (s.epoch == 0) *done.add_diagnostics() = StatsProto(s);
  }
  sink.OnComplete(done);
}

}  // namespace hpsearch::runtime
