#include "proto/convert/spec_convert.h"

#include "absl/strings/str_cat.h"
#include "proto/convert/dataset_convert.h"
#include "proto/convert/protocol_convert.h"
#include "proto/convert/value_convert.h"
#include "search/typed_spec.h"

namespace hpsearch::convert {

namespace v1 = hpsearch::v1;
using search::Parameter;

namespace {

absl::StatusOr<std::vector<Value>> Values(const google::protobuf::RepeatedPtrField<google::protobuf::Value>& values,
                                          const std::string& field) {
  std::vector<Value> out;
  for (int i = 0; i < values.size(); ++i) {
    auto v = convert::FromProto(values[i], absl::StrCat(field, "[", i, "]"));
    if (!v.ok()) return v.status();
    out.push_back(*std::move(v));
  }
  return out;
}

absl::StatusOr<Parameter> FromProto(const v1::Parameter& p) {
  Parameter out;
  out.name = p.name();
  const std::string path = "parameters." + p.name();
  switch (p.domain_case()) {
    case v1::Parameter::kValues: {
      out.domain = Parameter::Domain::kValues;
      auto values = Values(p.values().values(), path + ".values");
      if (!values.ok()) return values.status();
      out.values = *std::move(values);
      break;
    }
    case v1::Parameter::kRange: {
      out.domain = Parameter::Domain::kRange;
      const auto& r = p.range();
      out.range.min = r.min();
      out.range.max = r.max();
      out.range.scale = r.scale() == v1::LOG ? search::Scale::kLog : search::Scale::kLinear;
      out.range.integer = r.type() == v1::INT;
      if (r.has_step()) out.range.step = r.step();
      if (r.has_count()) out.range.count = r.count();
      break;
    }
    case v1::Parameter::kValue: {
      out.domain = Parameter::Domain::kConstant;
      auto v = convert::FromProto(p.value(), path + ".value");
      if (!v.ok()) return v.status();
      out.value = *std::move(v);
      break;
    }
    default:
      break;  // kNone: the validator names it
  }
  for (const auto& c : p.when()) {
    auto values = Values(c.values(), absl::StrCat(path, ".when.", c.parent()));
    if (!values.ok()) return values.status();
    out.when.push_back(search::Condition{c.parent(), *std::move(values)});
  }
  return out;
}

v1::Parameter ToProto(const Parameter& p) {
  v1::Parameter out;
  out.set_name(p.name);
  switch (p.domain) {
    case Parameter::Domain::kValues:
      for (const auto& v : p.values) *out.mutable_values()->add_values() = convert::ToProto(v);
      break;
    case Parameter::Domain::kRange: {
      auto* r = out.mutable_range();
      r->set_min(p.range.min);
      r->set_max(p.range.max);
      if (p.range.scale == search::Scale::kLog) r->set_scale(v1::LOG);
      if (p.range.integer) r->set_type(v1::INT);
      if (p.range.step) r->set_step(*p.range.step);
      if (p.range.count) r->set_count(*p.range.count);
      break;
    }
    case Parameter::Domain::kConstant:
      *out.mutable_value() = convert::ToProto(p.value);
      break;
    case Parameter::Domain::kNone:
      break;
  }
  for (const auto& c : p.when) {
    auto* w = out.add_when();
    w->set_parent(c.parent);
    for (const auto& v : c.values) *w->add_values() = convert::ToProto(v);
  }
  return out;
}

search::Objective FromProto(const v1::Objective& p) {
  search::Objective o;
  o.metric = p.metric();
  o.goal = p.goal() == v1::MAXIMIZE   ? search::Goal::kMaximize
           : p.goal() == v1::MINIMIZE ? search::Goal::kMinimize
                                      : search::Goal::kUnspecified;
  if (p.has_target()) o.target = p.target();
  return o;
}

v1::Objective ToProto(const search::Objective& o) {
  v1::Objective p;
  if (!o.metric.empty()) p.set_metric(o.metric);
  if (o.goal == search::Goal::kMaximize) p.set_goal(v1::MAXIMIZE);
  if (o.goal == search::Goal::kMinimize) p.set_goal(v1::MINIMIZE);
  if (o.target) p.set_target(*o.target);
  return p;
}

search::Nsga2Options FromProto(const v1::Nsga2Options& p) {
  search::Nsga2Options g;
  if (p.has_population()) g.population = p.population();
  if (p.has_crossover_prob()) g.crossover_prob = p.crossover_prob();
  if (p.has_swapping_prob()) g.swapping_prob = p.swapping_prob();
  if (p.has_mutation_prob()) g.mutation_prob = p.mutation_prob();
  return g;
}

}  // namespace

absl::StatusOr<search::Spec> FromProto(const v1::SweepSpec& p) {
  search::Spec s;
  s.name = p.name();
  s.dataset = convert::FromProto(p.dataset());
  s.objective = FromProto(p.objective());
  for (const auto& o : p.other_objectives()) s.other_objectives.push_back(FromProto(o));
  s.method = p.method() == v1::GRID     ? search::Method::kGrid
             : p.method() == v1::RANDOM ? search::Method::kRandom
             : p.method() == v1::TPE    ? search::Method::kTpe
             : p.method() == v1::NSGA2  ? search::Method::kNsga2
                                        : search::Method::kUnspecified;
  if (p.has_nsga2()) s.nsga2 = FromProto(p.nsga2());
  if (p.has_tpe()) {
    const v1::TpeOptions& t = p.tpe();
    if (t.has_startup_trials()) s.tpe.startup_trials = t.startup_trials();
    if (t.has_candidates()) s.tpe.candidates = t.candidates();
    if (t.has_multivariate()) s.tpe.multivariate = t.multivariate();
    if (t.has_constant_liar()) s.tpe.constant_liar = t.constant_liar();
  }
  s.labels.insert(p.labels().begin(), p.labels().end());
  if (p.has_trainer() && p.trainer().has_command() && p.trainer().external()) {
    return absl::InvalidArgumentError("trainer: a command or external, not both");
  }
  if (p.has_trainer() && p.trainer().has_command()) {
    s.trainer.kind = search::Trainer::Kind::kCommand;
    s.trainer.command = convert::FromProto(p.trainer().command());
  } else if (p.has_trainer() && p.trainer().external()) {
    s.trainer.kind = search::Trainer::Kind::kExternal;
  }
  if (p.has_pruning()) {
    const v1::Pruning& q = p.pruning();
    s.pruning.method = q.method() == v1::MEDIAN      ? search::PruningMethod::kMedian
                       : q.method() == v1::ASHA      ? search::PruningMethod::kAsha
                       : q.method() == v1::HYPERBAND ? search::PruningMethod::kHyperband
                                                     : search::PruningMethod::kNone;
    if (q.has_min_epochs()) s.pruning.min_epochs = q.min_epochs();
    if (q.has_reduction_factor()) s.pruning.reduction_factor = q.reduction_factor();
    if (q.has_startup_trials()) s.pruning.startup_trials = q.startup_trials();
    if (q.has_warmup_epochs()) s.pruning.warmup_epochs = q.warmup_epochs();
    if (q.has_interval()) s.pruning.interval = q.interval();
  }
  s.seed = p.seed();
  s.budget.max_trials = p.budget().max_trials();
  s.budget.max_failed = p.budget().max_failed();
  s.budget.max_duration_seconds = p.budget().max_duration_seconds();
  s.max_concurrent = p.parallelism().max_concurrent();
  for (const auto& [k, v] : p.fixed().fields()) {
    auto value = convert::FromProto(v, "fixed." + k);
    if (!value.ok()) return value.status();
    s.fixed.emplace(k, *std::move(value));
  }
  for (const auto& param : p.parameters()) {
    auto parameter = FromProto(param);
    if (!parameter.ok()) return parameter.status();
    s.parameters.push_back(*std::move(parameter));
  }
  return search::Typed(std::move(s));
}

v1::SweepSpec ToProto(const search::Spec& s) {
  v1::SweepSpec p;
  p.set_name(s.name);
  *p.mutable_dataset() = convert::ToProto(s.dataset);
  if (!s.objective.metric.empty() || s.objective.goal != search::Goal::kUnspecified || s.objective.target)
    *p.mutable_objective() = ToProto(s.objective);
  for (const auto& o : s.other_objectives) *p.add_other_objectives() = ToProto(o);
  if (s.method == search::Method::kNsga2) {
    p.set_method(v1::NSGA2);
    auto* g = p.mutable_nsga2();
    g->set_population(s.nsga2.population);
    g->set_crossover_prob(s.nsga2.crossover_prob);
    g->set_swapping_prob(s.nsga2.swapping_prob);
    if (s.nsga2.mutation_prob) g->set_mutation_prob(*s.nsga2.mutation_prob);
  }
  if (s.method == search::Method::kGrid) p.set_method(v1::GRID);
  if (s.method == search::Method::kRandom) p.set_method(v1::RANDOM);
  if (s.method == search::Method::kTpe) {
    p.set_method(v1::TPE);
    auto* t = p.mutable_tpe();
    t->set_startup_trials(s.tpe.startup_trials);
    t->set_candidates(s.tpe.candidates);
    t->set_multivariate(s.tpe.multivariate);
    t->set_constant_liar(s.tpe.constant_liar);
  }
  for (const auto& [k, v] : s.labels) (*p.mutable_labels())[k] = v;
  if (s.trainer.runs_command()) *p.mutable_trainer()->mutable_command() = convert::ToProto(s.trainer.command);
  if (s.trainer.external()) p.mutable_trainer()->set_external(true);
  if (s.pruning.method != search::PruningMethod::kNone) {
    auto* q = p.mutable_pruning();
    switch (s.pruning.method) {
      case search::PruningMethod::kMedian:
        q->set_method(v1::MEDIAN);
        q->set_startup_trials(s.pruning.startup_trials);
        q->set_warmup_epochs(s.pruning.warmup_epochs);
        q->set_interval(s.pruning.interval);
        break;
      case search::PruningMethod::kAsha:
      case search::PruningMethod::kHyperband:
        q->set_method(s.pruning.method == search::PruningMethod::kAsha ? v1::ASHA : v1::HYPERBAND);
        q->set_min_epochs(s.pruning.min_epochs);
        q->set_reduction_factor(s.pruning.reduction_factor);
        break;
      case search::PruningMethod::kNone:
        break;
    }
  }
  p.set_seed(s.seed);
  if (s.budget.max_trials) p.mutable_budget()->set_max_trials(s.budget.max_trials);
  if (s.budget.max_failed) p.mutable_budget()->set_max_failed(s.budget.max_failed);
  if (s.budget.max_duration_seconds) p.mutable_budget()->set_max_duration_seconds(s.budget.max_duration_seconds);
  if (s.max_concurrent) p.mutable_parallelism()->set_max_concurrent(s.max_concurrent);
  for (const auto& [k, v] : s.fixed) (*p.mutable_fixed()->mutable_fields())[k] = convert::ToProto(v);
  for (const auto& param : s.parameters) *p.add_parameters() = ToProto(param);
  return p;
}

}  // namespace hpsearch::convert
