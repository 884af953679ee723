// `objective:` as a list (a multi-objective sweep) and `method: nsga2`: how the spec
// reads, what it refuses (naming the field), and that it writes back the same.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "search/objectives.h"
#include "search/pareto_ranking.h"
#include "search/spec_file.h"
#include "search/spec_validator.h"
#include "search/spec_writer.h"

namespace hpsearch::search {
namespace {

using ::testing::HasSubstr;

const char* kTwo = R"(name: two
dataset: iris
method: nsga2
nsga2: {population: 8, mutation_prob: 0.25}
objective:
  - {metric: val_accuracy}
  - {metric: parameter_count, goal: minimize}
parameters:
  lr: {min: 1.0e-4, max: 0.1, scale: log}
)";

std::string Error(const std::string& yaml) {
  auto spec = client::ParseSpecYaml(yaml);
  if (!spec.ok()) return std::string(spec.status().message());
  auto st = ValidateSpec(*spec, {});
  return st.ok() ? "" : std::string(st.message());
}

TEST(ObjectiveSpec, AListOfObjectivesMakesAMultiObjectiveSweep) {
  auto spec = client::ParseSpecYaml(kTwo);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_TRUE(ValidateSpec(*spec, {}).ok()) << ValidateSpec(*spec, {});
  EXPECT_TRUE(MultiObjective(*spec));
  EXPECT_EQ(spec->method, Method::kNsga2);
  EXPECT_EQ(spec->nsga2.population, 8);
  EXPECT_EQ(spec->nsga2.mutation_prob, 0.25);
  const auto all = ResolvedObjectives(*spec);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].metric, "val_accuracy");
  EXPECT_TRUE(all[0].maximize);  // the metric's natural direction
  EXPECT_EQ(all[1].metric, "parameter_count");
  EXPECT_FALSE(all[1].maximize);
  // A list of one is one objective.
  auto one = client::ParseSpecYaml("dataset: iris\nobjective: [{metric: val_loss}]\n");
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(MultiObjective(*one));
  EXPECT_EQ(one->objective.metric, "val_loss");
}

TEST(ObjectiveSpec, WritesBackTheSameSpec) {
  auto spec = client::ParseSpecYaml(kTwo);
  ASSERT_TRUE(spec.ok());
  const std::string written = SpecToYaml(*spec);
  EXPECT_THAT(written,
              HasSubstr("objective:\n  - {metric: val_accuracy}\n  - {metric: parameter_count, goal: minimize}"));
  EXPECT_THAT(written,
              HasSubstr("nsga2: {population: 8, crossover_prob: 0.9, swapping_prob: 0.5, mutation_prob: 0.25}"));
  auto again = client::ParseSpecYaml(written);
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << written;
  EXPECT_EQ(SpecToYaml(*again), written);
}

TEST(ObjectiveSpec, SecondsAndParameterCountNeedNoReport) {
  const std::map<std::string, double> metrics = {{"val_accuracy", 0.9}};
  const TrialOutcome t{&metrics, 1234, 2.5};
  EXPECT_EQ(ObjectiveValue("parameter_count", t), 1234.0);
  EXPECT_EQ(ObjectiveValue("seconds", t), 2.5);
  EXPECT_EQ(ObjectiveValue("val_loss", t), std::nullopt);
  const std::map<std::string, double> reported = {{"seconds", 9.0}};
  EXPECT_EQ(ObjectiveValue("seconds", {&reported, 0, 2.5}), 9.0);  // a program's own report wins
  EXPECT_EQ(ObjectiveValues({{"val_accuracy", true}, {"seconds", false}}, t), (std::vector<double>{0.9, 2.5}));
  EXPECT_EQ(ObjectiveValues({{"val_accuracy", true}, {"val_loss", false}}, t), std::nullopt);
  EXPECT_EQ(AsLosses({{"a", true}, {"b", false}}, {0.9, 3}), (ObjectiveVector{-0.9, 3}));
  EXPECT_EQ(ReferencePoint({{-0.9, 3}, {-0.5, 0}}), (ObjectiveVector{-0.45, 3.3000000000000003}));
}

TEST(ParetoRanking, RanksOrdersAndMeasuresAHandComputedSet) {
  // Accuracy (maximised) against size (minimised). Trial 3 dominates every other one;
  // 0 and 1 trade off; 2 is dominated by 0 as well.
  const std::vector<ResolvedObjective> objectives = {{"val_accuracy", true}, {"parameter_count", false}};
  const std::vector<std::vector<double>> values = {{0.8, 100}, {0.9, 200}, {0.7, 300}, {0.9, 100}};
  const ParetoRanking r = RankTrials(objectives, values);
  EXPECT_EQ(r.rank, (std::vector<int>{1, 1, 2, 0}));
  EXPECT_EQ(r.order, (std::vector<std::size_t>{3, 1, 0, 2}));  // by rank, then the most accurate
  EXPECT_EQ(r.front_size, 1u);
  // The worst of each, 10% further out: accuracy 0.7 → 0.63, size 300 → 330.
  ASSERT_EQ(r.reference.size(), 2u);
  EXPECT_NEAR(r.reference[0], 0.63, 1e-12);
  EXPECT_NEAR(r.reference[1], 330, 1e-9);
  EXPECT_NEAR(r.hypervolume, (0.9 - 0.63) * (330 - 100), 1e-9);
  // As trials arrive: trial 0 alone, then trial 1's extra box, trial 2 adds nothing,
  // trial 3 takes over the front.
  const std::vector<double> h = HypervolumeHistory(objectives, values);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_NEAR(h[0], 0.17 * 230, 1e-9);
  EXPECT_NEAR(h[1], 0.17 * 230 + 0.1 * 130, 1e-9);
  EXPECT_NEAR(h[2], h[1], 1e-12);
  EXPECT_NEAR(h[3], 0.27 * 230, 1e-9);
  EXPECT_TRUE(RankTrials(objectives, {}).order.empty());
}

struct Refused {
  std::string yaml;
  std::string message;
};

class RefusedObjectives : public ::testing::TestWithParam<Refused> {};

TEST_P(RefusedObjectives, NameTheField) { EXPECT_THAT(Error(GetParam().yaml), HasSubstr(GetParam().message)); }

const std::string kIris = "dataset: iris\n";
INSTANTIATE_TEST_SUITE_P(
    Cases, RefusedObjectives,
    ::testing::Values(
        Refused{kIris + "objective: [{metric: val_accuracy}, {metric: val_acuracy}]\n",
                "objective[1].metric: unknown metric 'val_acuracy' (did you mean 'val_accuracy'?)"},
        Refused{kIris + "objective: [{metric: val_accuracy}, {metric: val_accuracy, goal: minimize}]\n",
                "objective[1].metric: val_accuracy is listed twice"},
        Refused{kIris + "objective: [{metric: val_accuracy}, {goal: minimize}]\n", "objective[1].metric: is required"},
        Refused{kIris + "objective: [{metric: val_accuracy, target: 0.9}, {metric: seconds}]\n",
                "objective[0].target: a multi-objective sweep has no single best value"},
        Refused{kIris + "objective: [{metric: val_accuracy}, {metric: seconds}]\npruning: {method: asha}\n",
                "pruning: is not available with several objectives"},
        Refused{kIris + "objective: [{metric: test_accuracy}, {metric: seconds}]\n",
                "objective[0].metric: test metrics must not drive the search"},
        Refused{kIris + "objective: {metric: parameter_count}\n", "objective.metric: unknown metric"},
        Refused{kIris + "objective: []\n", "objective: must name at least one objective"},
        Refused{kIris + "objective: [val_accuracy, seconds]\n", "objective[0]: must be a mapping"},
        Refused{kIris + "method: nsga2\nnsga2: {population: 1}\n", "nsga2.population: must be >= 2"},
        Refused{kIris + "method: nsga2\nnsga2: {crossover_prob: 1.5}\n", "nsga2.crossover_prob: must be a probability"},
        Refused{kIris + "method: nsga2\nnsga2: {mutation_prob: -0.1}\n", "nsga2.mutation_prob: must be a probability"},
        Refused{kIris + "nsga2: {population: 10}\n", "nsga2: applies only to method: nsga2"},
        Refused{kIris + "method: nsga\n", "method: must be grid, random, tpe or nsga2"},
        Refused{"trainer: {command: [python3, t.py]}\nobjective: [{metric: loss}, {metric: \"bad name\"}]\n",
                "objective[1].metric: 'bad name' is not 1-64 characters"},
        Refused{kIris + "objective: [{metric: val_accuracy}, {metric: seconds}, {metric: val_loss}, {metric: "
                        "train_loss}, {metric: train_accuracy}, {metric: parameter_count}, {metric: a}, {metric: b}, "
                        "{metric: c}]\n",
                "objective: at most 8 objectives"}));

}  // namespace
}  // namespace hpsearch::search
