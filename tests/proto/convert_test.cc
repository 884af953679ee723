// proto ⇄ plain conversions: every field survives a round trip, integers stay
// integers (the wire has only doubles), nested lists keep their shape, and what the
// plain form cannot hold is refused naming the field.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "google/protobuf/util/message_differencer.h"
#include "proto/convert/dataset_convert.h"
#include "proto/convert/protocol_convert.h"
#include "proto/convert/spec_convert.h"
#include "proto/convert/value_convert.h"
#include "search/spec_file.h"
#include "tests/testing/status_matchers.h"

namespace hpsearch::convert {
namespace {

using ::hpsearch::testing::StatusIs;
using ::testing::HasSubstr;
namespace v1 = hpsearch::v1;
namespace pb = google::protobuf;

bool SameMessage(const pb::Message& a, const pb::Message& b) { return pb::util::MessageDifferencer::Equals(a, b); }

Params RoundTrip(const Params& p) {
  pb::Map<std::string, pb::Value> wire;
  ParamsToProto(p, &wire);
  auto back = ParamsFromProto(wire, "params");
  EXPECT_TRUE(back.ok()) << back.status();
  return back.ok() ? *back : Params{};
}

TEST(ValueConvert, ScalarsKeepTheirTypeThroughTheWire) {
  const Params p{{"batch_size", Value(int64_t{64})},
                 {"lr", Value(0.001)},
                 {"optimizer", Value("adam")},
                 {"early_stopping", Value(true)},
                 {"epochs", Value(int64_t{3})}};
  const Params back = RoundTrip(p);
  EXPECT_EQ(back, p);
  EXPECT_TRUE(back.at("batch_size").is_int());
  EXPECT_TRUE(back.at("lr").is_double());
}

TEST(ValueConvert, TheVocabularyDecidesIntOrDoubleForIntegralNumbers) {
  // `lr: 1` is a double setting, `batch_size: 64.0` an integer one; the wire says 1 and 64.
  const Params back = RoundTrip({{"lr", Value(int64_t{1})}, {"batch_size", Value(64.0)}});
  ASSERT_TRUE(back.at("lr").is_double());
  EXPECT_EQ(back.at("lr").as_double(), 1.0);
  ASSERT_TRUE(back.at("batch_size").is_int());
  EXPECT_EQ(back.at("batch_size").as_int(), 64);
  // A name the vocabulary does not know: an integral number reads as an integer.
  const Params unknown = RoundTrip({{"my_knob", Value(int64_t{7})}, {"my_rate", Value(0.5)}});
  EXPECT_TRUE(unknown.at("my_knob").is_int());
  EXPECT_TRUE(unknown.at("my_rate").is_double());
}

TEST(ValueConvert, LargeIntegersAndNegativeOnesSurvive) {
  const int64_t big = int64_t{1} << 52;  // the largest exactly representable range
  const Params back = RoundTrip({{"seed_offset", Value(big)}, {"shift", Value(int64_t{-3})}});
  EXPECT_EQ(back.at("seed_offset"), Value(big));
  EXPECT_EQ(back.at("shift"), Value(int64_t{-3}));
}

TEST(ValueConvert, NestedListsKeepTheirShapeAndElementTypes) {
  const Value hidden(Value::List{Value(int64_t{256}), Value(int64_t{128})});
  const Value nested(Value::List{Value(Value::List{Value(int64_t{1}), Value(int64_t{2})}), Value(Value::List{}),
                                 Value(Value::List{Value("relu"), Value(0.5)})});
  const Params back = RoundTrip({{"hidden", hidden}, {"nested", nested}});
  EXPECT_EQ(back.at("hidden"), hidden);
  ASSERT_TRUE(back.at("hidden").as_list()[0].is_int());
  EXPECT_EQ(back.at("nested"), nested);
  EXPECT_EQ(back.at("nested").as_list()[1].as_list().size(), 0u);
  EXPECT_EQ(back.at("nested").ToString(), nested.ToString());
}

TEST(ValueConvert, WhatAValueCannotHoldIsRefusedNamingTheField) {
  pb::Value null_value;
  null_value.set_null_value(pb::NULL_VALUE);
  EXPECT_THAT(FromProto(null_value, "params.lr"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("params.lr")));
  pb::Value nan;
  nan.set_number_value(std::nan(""));
  EXPECT_THAT(FromProto(nan, "params.lr"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("params.lr")));
  pb::Value inf;
  inf.set_number_value(std::numeric_limits<double>::infinity());
  EXPECT_THAT(FromProto(inf, "x"), StatusIs(absl::StatusCode::kInvalidArgument));
  pb::Value st;
  (*st.mutable_struct_value()->mutable_fields())["a"].set_number_value(1);
  EXPECT_THAT(FromProto(st, "params.hidden"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("params.hidden")));
  pb::Value list;
  list.mutable_list_value()->add_values()->set_null_value(pb::NULL_VALUE);
  EXPECT_THAT(FromProto(list, "params.hidden"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DatasetConvert, EveryFieldRoundTripsAndDefaultsStayUnset) {
  vocabulary::DatasetOptions d;
  d.name = "csv";
  d.validation = 0.25;
  d.test = 0.1;
  d.path = "data/x.csv";
  d.target = "y";
  d.task = "regression";
  d.samples = 500;
  d.noise = 0.3;
  d.classes = 4;
  d.features = 6;
  d.seed = 99;
  EXPECT_EQ(FromProto(ToProto(d)).CacheKey(), d.CacheKey());
  vocabulary::DatasetOptions plain;
  plain.name = "iris";
  const v1::DatasetSpec wire = ToProto(plain);
  EXPECT_FALSE(wire.has_test());
  EXPECT_EQ(FromProto(wire).CacheKey(), plain.CacheKey());
  EXPECT_EQ(FromProto(wire).test, -1);
  EXPECT_EQ(FromProto(wire).noise, -1);
}

Lease SampleLease() {
  Lease l;
  l.key = {"s-000042", 17, 2, "0123456789abcdef0123456789abcdef"};
  l.dataset.name = "xor";
  l.dataset.samples = 200;
  l.params = {{"lr", Value(0.01)}, {"hidden", Value(Value::List{Value(int64_t{8})})}, {"epochs", Value(int64_t{3})}};
  l.seed = 0xfedcba9876543210ull;
  l.expires_ms = 1795467000123;
  l.lease_ms = 1500;
  l.objective_metric = "val_loss";
  l.objective_maximize = false;
  return l;
}

TEST(ProtocolConvert, ALeaseRoundTripsWithTypedParamsAndAFull64BitSeed) {
  const Lease l = SampleLease();
  auto back = FromProto(ToProto(l));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->key, l.key);
  EXPECT_EQ(back->dataset.CacheKey(), l.dataset.CacheKey());
  EXPECT_EQ(back->params, l.params);
  EXPECT_EQ(back->seed, l.seed);
  EXPECT_EQ(back->expires_ms, l.expires_ms);
  EXPECT_EQ(back->lease_ms, l.lease_ms);
  EXPECT_EQ(back->objective_metric, l.objective_metric);
  EXPECT_EQ(back->objective_maximize, l.objective_maximize);
}

TEST(ProtocolConvert, ALeaseWithAParameterThatIsNoValueIsRefused) {
  v1::Lease wire = ToProto(SampleLease());
  (*wire.mutable_params())["lr"].set_null_value(pb::NULL_VALUE);
  EXPECT_THAT(FromProto(wire), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lr")));
}

TEST(ProtocolConvert, ReportsWithAndWithoutAnEpochOrDiagnostics) {
  EpochReport r;
  r.key = {"s-000001", 3, 1, "fedcba9876543210fedcba9876543210"};
  r.epoch = EpochMetrics{4, {{"val_loss", 0.25}, {"train_loss", 0.5}}, 0.003, 1.25};
  r.diagnostics = ActivationStats{4, {0.1, -0.2}, {1.0, 0.9}};
  const EpochReport back = FromProto(ToProto(r));
  EXPECT_EQ(back.key, r.key);
  ASSERT_TRUE(back.epoch.has_value());
  EXPECT_EQ(back.epoch->epoch, 4);
  EXPECT_EQ(back.epoch->metrics, r.epoch->metrics);
  EXPECT_EQ(back.epoch->lr, 0.003);
  EXPECT_EQ(back.epoch->seconds, 1.25);
  ASSERT_TRUE(back.diagnostics.has_value());
  EXPECT_EQ(back.diagnostics->mean, r.diagnostics->mean);
  EXPECT_EQ(back.diagnostics->std, r.diagnostics->std);
  const EpochReport heartbeat = FromProto(ToProto(EpochReport{r.key, std::nullopt, std::nullopt}));
  EXPECT_FALSE(heartbeat.epoch.has_value());
  EXPECT_FALSE(heartbeat.diagnostics.has_value());

  const ReportReply reply{true, "cancelled by the user", 1795467000000, 30000};
  const ReportReply reply_back = FromProto(ToProto(reply));
  EXPECT_EQ(reply_back.stop, true);
  EXPECT_EQ(reply_back.reason, reply.reason);
  EXPECT_EQ(reply_back.expires_ms, reply.expires_ms);
  EXPECT_EQ(reply_back.lease_ms, reply.lease_ms);
  EXPECT_FALSE(FromProto(ToProto(ReportReply{})).stop);
}

TEST(ProtocolConvert, ResultsAndFailuresRoundTrip) {
  TrialResult r;
  r.key = {"s-000009", 0, 3};
  r.metrics = {{"val_accuracy", 0.9625}, {"test_accuracy", 0.95}};
  r.parameter_count = 12345;
  r.diagnostics = {ActivationStats{0, {0.0, 0.5}, {1.0, 2.0}}};
  const TrialResult back = FromProto(ToProto(r));
  EXPECT_EQ(back.key, r.key);
  EXPECT_EQ(back.metrics, r.metrics);
  EXPECT_EQ(back.parameter_count, r.parameter_count);
  ASSERT_EQ(back.diagnostics.size(), 1u);
  EXPECT_EQ(back.diagnostics[0].std, r.diagnostics[0].std);
  for (bool permanent : {true, false}) {
    const TrialFailure f{{"s-000002", 5, 1}, "diverged: loss is nan at epoch 3", permanent};
    const TrialFailure fb = FromProto(ToProto(f));
    EXPECT_EQ(fb.key, f.key);
    EXPECT_EQ(fb.reason, f.reason);
    EXPECT_EQ(fb.permanent, permanent);
  }
}

TEST(ProtocolConvert, EveryStatusMapsBothWays) {
  for (TrialStatus s : {TrialStatus::kPending, TrialStatus::kRunning, TrialStatus::kCompleted, TrialStatus::kFailed,
                        TrialStatus::kPruned, TrialStatus::kCancelled}) {
    EXPECT_EQ(FromProto(ToProto(s)), s) << Name(s);
  }
  for (SweepStatus s : {SweepStatus::kRunning, SweepStatus::kStopping, SweepStatus::kCompleted, SweepStatus::kFailed,
                        SweepStatus::kCancelled}) {
    EXPECT_EQ(FromProto(ToProto(s)), s) << Name(s);
  }
  EXPECT_EQ(ToProto(TrialStatus::kPruned), v1::PRUNED);
  EXPECT_EQ(ToProto(SweepStatus::kStopping), v1::SWEEP_STOPPING);
}

TEST(SpecConvert, AFullSpecSurvivesTheWireUnchanged) {
  auto spec = client::ParseSpecYaml(R"(name: everything
dataset: {name: csv, path: data/x.csv, target: y, task: classification, validation: 0.2, test: 0.1}
objective: {metric: val_accuracy, goal: maximize, target: 0.97}
method: random
seed: 11
budget: {max_trials: 40, max_failed: 5, max_duration: 1h30m}
parallelism: {max_concurrent: 3}
fixed: {epochs: 4, batch_size: 32}
parameters:
  lr: {min: 1.0e-4, max: 1.0e-1, scale: log}
  optimizer: {values: [sgd, adam, momentum]}
  momentum: {min: 0.5, max: 0.99, when: {optimizer: momentum}}
  hidden: {values: [[32], [64, 64], [128, 64, 32]]}
  l2: {min: 1.0e-6, max: 1.0e-2, scale: log, count: 3}
  width: {min: 8, max: 64, type: int, step: 8}
)");
  ASSERT_TRUE(spec.ok()) << spec.status();
  const v1::SweepSpec wire = ToProto(*spec);
  auto back = FromProto(wire);
  ASSERT_TRUE(back.ok()) << back.status();
  const v1::SweepSpec again = ToProto(*back);
  EXPECT_TRUE(SameMessage(wire, again)) << wire.DebugString() << "\nvs\n" << again.DebugString();
  EXPECT_EQ(back->name, "everything");
  EXPECT_EQ(back->seed, 11u);
  EXPECT_EQ(back->budget.max_trials, 40);
  EXPECT_EQ(back->budget.max_duration_seconds, 5400);
  // Integers stay integers after the wire: batch_size values and hidden sizes.
  EXPECT_EQ(back->fixed.at("batch_size"), Value(int64_t{32}));
  EXPECT_EQ(back->parameters[3].values[2],
            Value(Value::List{Value(int64_t{128}), Value(int64_t{64}), Value(int64_t{32})}));
  EXPECT_EQ(back->objective.target, 0.97);
  EXPECT_EQ(back->max_concurrent, 3);
}

TEST(SpecConvert, EachTrainerSurvivesTheWire) {
  for (const char* trainer : {"trainer: external\n", "trainer: {command: [python3, t.py, \"{x}\"], slots: 2}\n"}) {
    auto spec =
        client::ParseSpecYaml(std::string(trainer) + "objective: {metric: loss}\nparameters:\n  x: {min: 0, max: 1}\n");
    ASSERT_TRUE(spec.ok()) << spec.status();
    auto back = FromProto(ToProto(*spec));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->trainer.kind, spec->trainer.kind) << trainer;
    EXPECT_EQ(back->trainer.command, spec->trainer.command) << trainer;
  }
  auto builtin = FromProto(v1::SweepSpec());
  ASSERT_TRUE(builtin.ok());
  EXPECT_TRUE(builtin->trainer.builtin());
}

TEST(SpecConvert, SeveralObjectivesAndNsga2SurviveTheWire) {
  auto spec = client::ParseSpecYaml(R"(dataset: iris
method: nsga2
nsga2: {population: 12, crossover_prob: 0.8, swapping_prob: 0.4, mutation_prob: 0.2}
objective: [{metric: val_accuracy, goal: maximize}, {metric: seconds}, {metric: parameter_count, goal: minimize}]
)");
  ASSERT_TRUE(spec.ok()) << spec.status();
  const v1::SweepSpec wire = ToProto(*spec);
  EXPECT_EQ(wire.method(), v1::NSGA2);
  EXPECT_EQ(wire.other_objectives_size(), 2);
  auto back = FromProto(wire);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(SameMessage(wire, ToProto(*back)));
  EXPECT_EQ(back->method, search::Method::kNsga2);
  EXPECT_EQ(back->objective.metric, "val_accuracy");
  EXPECT_EQ(back->objective.goal, search::Goal::kMaximize);
  ASSERT_EQ(back->other_objectives.size(), 2u);
  EXPECT_EQ(back->other_objectives[0].metric, "seconds");
  EXPECT_EQ(back->other_objectives[0].goal, search::Goal::kUnspecified);
  EXPECT_EQ(back->other_objectives[1].goal, search::Goal::kMinimize);
  EXPECT_EQ(back->nsga2.population, 12);
  EXPECT_EQ(back->nsga2.crossover_prob, 0.8);
  EXPECT_EQ(back->nsga2.swapping_prob, 0.4);
  EXPECT_EQ(back->nsga2.mutation_prob, 0.2);
}

TEST(SpecConvert, TpeAndEachPruningMethodSurviveTheWire) {
  for (const char* pruning : {"{method: median, startup_trials: 7, warmup_epochs: 2, interval: 3}",
                              "{method: asha, min_epochs: 2, reduction_factor: 4}",
                              "{method: hyperband, min_epochs: 1, reduction_factor: 2}"}) {
    auto spec = client::ParseSpecYaml(std::string("dataset: iris\nmethod: tpe\n"
                                                  "tpe: {startup_trials: 3, candidates: 50, multivariate: false, "
                                                  "constant_liar: false}\npruning: ") +
                                      pruning + "\nfixed: {epochs: 20}\n");
    ASSERT_TRUE(spec.ok()) << spec.status();
    auto back = FromProto(ToProto(*spec));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->method, search::Method::kTpe);
    EXPECT_EQ(back->tpe.startup_trials, 3);
    EXPECT_EQ(back->tpe.candidates, 50);
    EXPECT_FALSE(back->tpe.multivariate);
    EXPECT_FALSE(back->tpe.constant_liar);
    EXPECT_EQ(back->pruning.method, spec->pruning.method) << pruning;
    EXPECT_EQ(back->pruning.min_epochs, spec->pruning.min_epochs);
    EXPECT_EQ(back->pruning.reduction_factor, spec->pruning.reduction_factor);
    EXPECT_EQ(back->pruning.startup_trials, spec->pruning.startup_trials);
    EXPECT_EQ(back->pruning.warmup_epochs, spec->pruning.warmup_epochs);
    EXPECT_EQ(back->pruning.interval, spec->pruning.interval);
  }
  // Unset on the wire: the documented defaults.
  v1::SweepSpec bare;
  bare.set_method(v1::TPE);
  bare.mutable_pruning()->set_method(v1::ASHA);
  auto d = FromProto(bare);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->tpe.startup_trials, 10);
  EXPECT_EQ(d->tpe.candidates, 24);
  EXPECT_TRUE(d->tpe.multivariate);
  EXPECT_TRUE(d->tpe.constant_liar);
  EXPECT_EQ(d->pruning.min_epochs, 1);
  EXPECT_EQ(d->pruning.reduction_factor, 3);
}

}  // namespace
}  // namespace hpsearch::convert
