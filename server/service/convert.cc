#include "server/service/convert.h"

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "proto/convert/protocol_convert.h"
#include "proto/convert/spec_convert.h"
#include "proto/convert/value_convert.h"
#include "search/spec_validator.h"

namespace hpsearch::service {

namespace v1 = hpsearch::v1;

std::string EncodeSpec(const v1::SweepSpec& spec) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  spec.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

absl::StatusOr<search::Spec> DecodeSpec(const std::string& encoded) {
  v1::SweepSpec spec;
  if (!spec.ParseFromString(encoded)) return absl::DataLossError("the stored spec does not parse");
  return convert::FromProto(spec);
}

v1::Sweep ToProto(const store::SweepRecord& r, bool with_spec) {
  v1::Sweep p;
  p.set_id(r.id);
  p.set_name(r.name);
  if (with_spec && p.mutable_spec()->ParseFromString(r.spec)) {
    if (auto spec = convert::FromProto(p.spec()); spec.ok()) p.set_objective_metric(search::ObjectiveMetric(*spec));
    p.set_maximize(r.maximize);
  }
  p.set_status(convert::ToProto(r.status));
  p.set_status_reason(r.status_reason);
  p.set_total_trials(r.total_trials);
  auto* c = p.mutable_counts();
  c->set_pending(r.counts.pending);
  c->set_running(r.counts.running);
  c->set_completed(r.counts.completed);
  c->set_failed(r.counts.failed);
  c->set_pruned(r.counts.pruned);
  c->set_cancelled(r.counts.cancelled);
  c->set_not_started(r.not_started);
  if (r.best_objective) p.set_best_objective(*r.best_objective);
  p.set_best_trial(r.best_trial);
  p.set_created_ms(r.created_ms);
  p.set_finished_ms(r.finished_ms);
  p.set_idle_ms(r.idle_ms);
  return p;
}

v1::Trial ToProto(const store::TrialRecord& t) {
  v1::Trial p;
  p.set_sweep_id(t.sweep_id);
  p.set_index(t.index);
  p.set_status(convert::ToProto(t.status));
  convert::ParamsToProto(t.params, p.mutable_params());
  p.set_seed(t.seed);
  p.set_attempt(t.attempt);
  p.set_worker(t.worker);
  if (t.objective) p.set_objective(*t.objective);
  for (const auto& [k, v] : t.metrics) (*p.mutable_metrics())[k] = v;
  p.set_failure_reason(t.failure_reason);
  p.set_created_ms(t.created_ms);
  p.set_started_ms(t.started_ms);
  p.set_finished_ms(t.finished_ms);
  p.set_parameter_count(t.parameter_count);
  p.set_epochs_run(t.epochs_run);
  for (const auto& e : t.epochs) *p.add_epochs() = convert::ToProto(e);
  for (const auto& s : t.diagnostics) *p.add_diagnostics() = convert::ToProto(s);
  for (const auto& a : t.attempts) {
    auto* x = p.add_attempts();
    x->set_attempt(a.attempt);
    x->set_worker(a.worker);
    x->set_started_ms(a.started_ms);
    x->set_finished_ms(a.finished_ms);
    x->set_outcome(a.outcome);
    x->set_seed(a.seed);
  }
  return p;
}

v1::SweepEvent ToProto(const scheduler::SweepEvent& e) {
  v1::SweepEvent p;
  p.set_time_ms(e.time_ms);
  *p.mutable_sweep() = ToProto(e.sweep, !e.sweep.spec.empty());
  if (e.trial) *p.mutable_trial() = ToProto(*e.trial);
  if (e.epoch) {
    p.mutable_epoch()->set_trial(e.epoch->trial);
    *p.mutable_epoch()->mutable_metrics() = convert::ToProto(e.epoch->metrics);
  }
  p.set_skipped(e.skipped);
  return p;
}

}  // namespace hpsearch::service
