// The text form of a listing's conditions (scheduler/trial_filter.h).
#include "server/scheduler/trial_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "search/spec_file.h"

namespace hpsearch::scheduler {
namespace {

using C = store::TrialCondition;
using V = std::variant<double, std::string>;
using ::testing::HasSubstr;

ListingKeys Keys() {
  ListingKeys k;
  k.params = {"lr", "optimizer", "hidden", "batchnorm", "epochs"};
  k.metrics = {"train_loss", "val_loss", "val_accuracy"};
  return k;
}

C Parse(const std::string& text) {
  auto c = ParseCondition(text, Keys());
  EXPECT_TRUE(c.ok()) << text << ": " << c.status();
  return c.ok() ? *c : C{};
}

std::string Error(const std::string& text) {
  auto c = ParseCondition(text, Keys());
  EXPECT_FALSE(c.ok()) << text;
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << text;
  return std::string(c.status().message());
}

TEST(TrialFilter, ParsesEachOperatorOverParametersMetricsAndTheObjective) {
  const C le = Parse("lr<=0.01");
  EXPECT_EQ(le.field, C::Field::kParameter);
  EXPECT_EQ(le.name, "lr");
  EXPECT_EQ(le.op, C::Op::kLe);
  EXPECT_EQ(le.values, (std::vector<V>{0.01}));
  EXPECT_EQ(Parse("lr < 1e-3").op, C::Op::kLt);
  EXPECT_EQ(Parse("lr>=1e-4").op, C::Op::kGe);
  EXPECT_EQ(Parse("lr>1e-4").op, C::Op::kGt);
  EXPECT_EQ(Parse("lr==0.1").op, C::Op::kEq);
  const C obj = Parse(" objective > 0.85 ");
  EXPECT_EQ(obj.field, C::Field::kObjective);
  EXPECT_EQ(obj.values, (std::vector<V>{0.85}));
  const C metric = Parse("val_loss<0.4");
  EXPECT_EQ(metric.field, C::Field::kMetric);
  EXPECT_EQ(metric.name, "val_loss");
}

TEST(TrialFilter, ListsTextBooleansAndListParameters) {
  const C any = Parse("optimizer=adam, sgd,rmsprop");
  EXPECT_EQ(any.op, C::Op::kEq);
  EXPECT_EQ(any.values, (std::vector<V>{std::string("adam"), std::string("sgd"), std::string("rmsprop")}));
  const C none = Parse("optimizer!=adam");
  EXPECT_EQ(none.op, C::Op::kNe);
  EXPECT_EQ(none.values, (std::vector<V>{std::string("adam")}));
  // Commas inside a list belong to it; spaces in it go, as in the stored JSON.
  EXPECT_EQ(Parse("hidden=[256, 128],[128]").values, (std::vector<V>{std::string("[256,128]"), std::string("[128]")}));
  EXPECT_EQ(Parse("batchnorm=true").values, (std::vector<V>{1.0}));
  EXPECT_EQ(Parse("batchnorm=false").values, (std::vector<V>{0.0}));
  EXPECT_EQ(Parse("epochs=10,20").values, (std::vector<V>{10.0, 20.0}));
  // A quoted number is text.
  EXPECT_EQ(Parse("optimizer=\"10\"").values, (std::vector<V>{std::string("10")}));
}

TEST(TrialFilter, RefusesWhatItCannotRead) {
  EXPECT_THAT(Error("learning_rate<0.1"), HasSubstr("unknown key 'learning_rate'"));
  EXPECT_THAT(Error("optimiser=adam"), HasSubstr("did you mean 'optimizer'"));
  EXPECT_THAT(Error("lr"), HasSubstr("<key><op><value>"));
  EXPECT_THAT(Error("lr~0.1"), HasSubstr("'~' is not an operator"));
  EXPECT_THAT(Error("lr<="), HasSubstr("no value"));
  EXPECT_THAT(Error("optimizer<adam"), HasSubstr("'adam' is not a number"));
  EXPECT_THAT(Error("optimizer=adam,,sgd"), HasSubstr("an empty value"));
  EXPECT_THAT(Error("=3"), HasSubstr("<key><op><value>"));
  EXPECT_THAT(Error("lr<nan"), HasSubstr("not a number"));
  // An operator written the other way round is not compared as text.
  EXPECT_THAT(Error("lr=<0.01"),
              HasSubstr("where 'lr=<0.01': '=<' is not an operator (did you mean 'lr<=0.01'?); op: = != < <= > >="));
  EXPECT_THAT(Error("lr=>0.01"), HasSubstr("(did you mean 'lr>=0.01'?)"));
  EXPECT_THAT(Error("optimizer=!adam"), HasSubstr("(did you mean 'optimizer!=adam'?)"));
  EXPECT_THAT(Error("lr==<1"), HasSubstr("'==<' is not an operator; op:"));
  // A metric abbreviated part by part gets its name.
  EXPECT_THAT(Error("val_acc>0.5"), HasSubstr("did you mean 'val_accuracy'"));
  // The message names the condition.
  EXPECT_THAT(Error("optimiser=adam"), HasSubstr("where 'optimiser=adam'"));
}

search::Spec SpecOf(const std::string& yaml) {
  auto spec = client::ParseSpecYaml(yaml);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : search::Spec{};
}

// A program's metrics are its objectives and what its trials reported, whatever the
// names; the built-in trainer's vocabulary is not among them.
TEST(TrialFilter, AProgramsMetricsAreItsObjectivesAndWhatItReported) {
  const search::Spec own = SpecOf(R"(
name: own
trainer: {command: [python3, own.py]}
objective: [{metric: loss, goal: minimize}, {metric: parameter_count, goal: minimize}]
method: random
parameters:
  x: {min: 0, max: 1}
fixed: {epochs: 3}
)");
  const ListingKeys none = ListingKeys::Of(own);
  EXPECT_EQ(none.params, (std::vector<std::string>{"x", "epochs"}));
  EXPECT_EQ(none.metrics, (std::vector<std::string>{"loss"}));  // parameter_count is no metric
  EXPECT_TRUE(none.none_reported);
  EXPECT_THAT(std::string(ParseCondition("val_loss<1", none).status().message()),
              ::testing::EndsWith("unknown key 'val_loss'; one of objective, x, epochs, loss (no trial has "
                                  "reported a metric yet)"));
  const ListingKeys keys = ListingKeys::Of(own, {"accuracy", "loss", "val.score"});
  EXPECT_EQ(keys.metrics, (std::vector<std::string>{"loss", "accuracy", "val.score"}));
  EXPECT_FALSE(keys.none_reported);
  EXPECT_TRUE(keys.IsMetric("accuracy"));
  EXPECT_FALSE(keys.IsMetric("val_accuracy"));
  const C dotted = ParseCondition("val.score>=0.5", keys).value();
  EXPECT_EQ(dotted.field, C::Field::kMetric);
  EXPECT_EQ(dotted.name, "val.score");
  EXPECT_EQ(dotted.op, C::Op::kGe);
  EXPECT_THAT(std::string(ParseCondition("acuracy>0", keys).status().message()),
              ::testing::EndsWith("unknown key 'acuracy' (did you mean 'accuracy'?); one of objective, x, epochs, "
                                  "loss, accuracy, val.score"));

  // The built-in trainer: its vocabulary, as before.
  const ListingKeys builtin = ListingKeys::Of(SpecOf(R"(
name: b
dataset: {name: xor}
objective: {metric: val_loss}
parameters:
  lr: {values: [0.1, 0.01]}
)"));
  EXPECT_EQ(builtin.metrics, (std::vector<std::string>{"train_loss", "train_accuracy", "val_loss", "val_accuracy",
                                                       "test_loss", "test_accuracy"}));
  EXPECT_FALSE(builtin.none_reported);
  EXPECT_FALSE(builtin.IsMetric("loss"));
}

// Past the names read (kMaxListedMetrics), a well-formed name may be one reported: it
// is taken as a metric. The error lists the first 50 keys only.
TEST(TrialFilter, ManyReportedNamesAreBoundedInTheMessageNotRefused) {
  ListingKeys k = Keys();
  EXPECT_THAT(Error("m77<1"), HasSubstr("unknown key 'm77'"));
  k.more_reported = true;
  auto c = ParseCondition("m77<1", k);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->field, C::Field::kMetric);
  std::vector<std::string> many;
  for (int i = 0; i < 120; ++i) many.push_back("m" + std::to_string(i));
  const std::string message = k.Unknown("zz", many);
  EXPECT_THAT(message, HasSubstr("m49 and 70 more"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("m50")));
}

}  // namespace
}  // namespace hpsearch::scheduler
