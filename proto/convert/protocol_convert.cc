#include "proto/convert/protocol_convert.h"

#include "proto/convert/dataset_convert.h"
#include "proto/convert/value_convert.h"

namespace hpsearch::convert {

namespace v1 = hpsearch::v1;

static_assert(static_cast<int>(TrialStatus::kPending) == v1::PENDING &&
              static_cast<int>(TrialStatus::kRunning) == v1::RUNNING &&
              static_cast<int>(TrialStatus::kCompleted) == v1::COMPLETED &&
              static_cast<int>(TrialStatus::kFailed) == v1::FAILED &&
              static_cast<int>(TrialStatus::kPruned) == v1::PRUNED &&
              static_cast<int>(TrialStatus::kCancelled) == v1::CANCELLED);
static_assert(static_cast<int>(SweepStatus::kRunning) == v1::SWEEP_RUNNING &&
              static_cast<int>(SweepStatus::kStopping) == v1::SWEEP_STOPPING &&
              static_cast<int>(SweepStatus::kCompleted) == v1::SWEEP_COMPLETED &&
              static_cast<int>(SweepStatus::kFailed) == v1::SWEEP_FAILED &&
              static_cast<int>(SweepStatus::kCancelled) == v1::SWEEP_CANCELLED);

v1::TrialStatus ToProto(TrialStatus s) { return static_cast<v1::TrialStatus>(s); }
TrialStatus FromProto(v1::TrialStatus s) { return static_cast<TrialStatus>(s); }
v1::SweepStatus ToProto(SweepStatus s) { return static_cast<v1::SweepStatus>(s); }
SweepStatus FromProto(v1::SweepStatus s) { return static_cast<SweepStatus>(s); }

v1::LeaseKey ToProto(const LeaseKey& k) {
  v1::LeaseKey p;
  p.set_sweep_id(k.sweep_id);
  p.set_index(k.index);
  p.set_attempt(k.attempt);
  p.set_lease_id(k.lease_id);
  return p;
}

LeaseKey FromProto(const v1::LeaseKey& k) { return LeaseKey{k.sweep_id(), k.index(), k.attempt(), k.lease_id()}; }

v1::Lease ToProto(const Lease& l) {
  v1::Lease p;
  *p.mutable_key() = ToProto(l.key);
  *p.mutable_dataset() = ToProto(l.dataset);
  ParamsToProto(l.params, p.mutable_params());
  p.set_seed(l.seed);
  p.set_expires_ms(l.expires_ms);
  p.set_lease_ms(l.lease_ms);
  p.set_objective_metric(l.objective_metric);
  p.set_objective_maximize(l.objective_maximize);
  if (l.command) *p.mutable_command() = ToProto(*l.command);
  return p;
}

v1::CommandTrainer ToProto(const CommandSpec& c) {
  v1::CommandTrainer p;
  for (const auto& a : c.argv) p.add_argv(a);
  p.mutable_env()->insert(c.env.begin(), c.env.end());
  p.set_timeout_seconds(c.timeout_seconds);
  p.set_grace_seconds(c.grace_seconds);
  p.set_slots(c.slots);
  return p;
}

CommandSpec FromProto(const v1::CommandTrainer& p) {
  CommandSpec c;
  c.argv.assign(p.argv().begin(), p.argv().end());
  c.env.insert(p.env().begin(), p.env().end());
  c.timeout_seconds = p.timeout_seconds();
  if (p.has_grace_seconds()) c.grace_seconds = p.grace_seconds();
  c.slots = p.slots() > 0 ? p.slots() : 1;
  return c;
}

absl::StatusOr<Lease> FromProto(const v1::Lease& p) {
  Lease l;
  l.key = FromProto(p.key());
  l.dataset = FromProto(p.dataset());
  auto params = ParamsFromProto(p.params(), "lease.params");
  if (!params.ok()) return params.status();
  l.params = *std::move(params);
  l.seed = p.seed();
  l.expires_ms = p.expires_ms();
  l.lease_ms = p.lease_ms();
  l.objective_metric = p.objective_metric();
  l.objective_maximize = p.objective_maximize();
  if (p.has_command()) l.command = FromProto(p.command());
  return l;
}

v1::EpochMetrics ToProto(const EpochMetrics& e) {
  v1::EpochMetrics p;
  p.set_epoch(e.epoch);
  for (const auto& [k, v] : e.metrics) (*p.mutable_metrics())[k] = v;
  p.set_lr(e.lr);
  p.set_seconds(e.seconds);
  return p;
}

EpochMetrics FromProto(const v1::EpochMetrics& p) {
  EpochMetrics e;
  e.epoch = p.epoch();
  e.metrics.insert(p.metrics().begin(), p.metrics().end());
  e.lr = p.lr();
  e.seconds = p.seconds();
  return e;
}

v1::ActivationStats ToProto(const ActivationStats& s) {
  v1::ActivationStats p;
  p.set_epoch(s.epoch);
  for (double m : s.mean) p.add_mean(m);
  for (double x : s.std) p.add_std(x);
  return p;
}

ActivationStats FromProto(const v1::ActivationStats& p) {
  return ActivationStats{p.epoch(), std::vector<double>(p.mean().begin(), p.mean().end()),
                         std::vector<double>(p.std().begin(), p.std().end())};
}

v1::ReportProgressRequest ToProto(const EpochReport& r) {
  v1::ReportProgressRequest p;
  *p.mutable_key() = ToProto(r.key);
  if (r.epoch) *p.mutable_epoch() = ToProto(*r.epoch);
  if (r.diagnostics) *p.mutable_diagnostics() = ToProto(*r.diagnostics);
  for (const auto& c : r.output) {
    auto* o = p.add_output();
    o->set_stream(c.stream == OutputChunk::Stream::kStderr ? v1::OUTPUT_STREAM_STDERR : v1::OUTPUT_STREAM_STDOUT);
    o->set_offset(c.offset);
    o->set_data(c.bytes);
  }
  p.set_parameter_count(r.parameter_count);
  return p;
}

EpochReport FromProto(const v1::ReportProgressRequest& p) {
  EpochReport r;
  r.key = FromProto(p.key());
  if (p.has_epoch()) r.epoch = FromProto(p.epoch());
  if (p.has_diagnostics()) r.diagnostics = FromProto(p.diagnostics());
  for (const auto& o : p.output()) {
    r.output.push_back(OutputChunk{
        o.stream() == v1::OUTPUT_STREAM_STDERR ? OutputChunk::Stream::kStderr : OutputChunk::Stream::kStdout,
        o.offset(), o.data()});
  }
  r.parameter_count = p.parameter_count();
  return r;
}

v1::ReportProgressResponse ToProto(const ReportReply& r) {
  v1::ReportProgressResponse p;
  p.set_directive(r.stop ? v1::STOP : v1::CONTINUE);
  p.set_reason(r.reason);
  p.set_expires_ms(r.expires_ms);
  p.set_lease_ms(r.lease_ms);
  return p;
}

ReportReply FromProto(const v1::ReportProgressResponse& p) {
  return ReportReply{p.directive() == v1::STOP, p.reason(), p.expires_ms(), p.lease_ms()};
}

v1::CompleteTrialRequest ToProto(const TrialResult& r) {
  v1::CompleteTrialRequest p;
  *p.mutable_key() = ToProto(r.key);
  for (const auto& [k, v] : r.metrics) (*p.mutable_metrics())[k] = v;
  p.set_parameter_count(r.parameter_count);
  for (const auto& s : r.diagnostics) *p.add_diagnostics() = ToProto(s);
  return p;
}

TrialResult FromProto(const v1::CompleteTrialRequest& p) {
  TrialResult r;
  r.key = FromProto(p.key());
  r.metrics.insert(p.metrics().begin(), p.metrics().end());
  r.parameter_count = p.parameter_count();
  for (const auto& s : p.diagnostics()) r.diagnostics.push_back(FromProto(s));
  return r;
}

v1::FailTrialRequest ToProto(const TrialFailure& f) {
  v1::FailTrialRequest p;
  *p.mutable_key() = ToProto(f.key);
  p.set_reason(f.reason);
  p.set_permanent(f.permanent);
  return p;
}

TrialFailure FromProto(const v1::FailTrialRequest& p) {
  return TrialFailure{FromProto(p.key()), p.reason(), p.permanent()};
}

}  // namespace hpsearch::convert
