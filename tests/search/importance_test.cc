// PED-ANOVA parameter importance (search/importance.h) on synthetic sweeps whose
// answer is known: the objective depends on one parameter only.
#include <gtest/gtest.h>

#include <cmath>

#include "common/util/rng.h"
#include "search/importance.h"
#include "search/spec_file.h"

namespace hpsearch::search {
namespace {

Spec SpaceOf() {
  auto spec = client::ParseSpecYaml(
      "name: imp\ndataset: {name: xor}\nmethod: random\n"
      "parameters:\n  lr: {min: 1.0e-4, max: 1.0e-1, scale: log}\n  dropout: {min: 0, max: 0.5}\n"
      "  optimizer: {values: [sgd, adam, rmsprop]}\n  batch_size: {values: [16, 32, 64]}\n");
  EXPECT_TRUE(spec.ok()) << spec.status();
  return *spec;
}

// n random configurations scored by `score`.
std::vector<std::pair<Params, double>> Trials(int n, double (*score)(const Params&), uint64_t seed) {
  Rng rng(seed);
  const char* opts[] = {"sgd", "adam", "rmsprop"};
  const int64_t batches[] = {16, 32, 64};
  std::vector<std::pair<Params, double>> out;
  for (int i = 0; i < n; ++i) {
    Params p{{"lr", std::pow(10.0, rng.Uniform(-4, -1))},
             {"dropout", rng.Uniform(0, 0.5)},
             {"optimizer", opts[static_cast<int>(rng.Uniform() * 3) % 3]},
             {"batch_size", batches[static_cast<int>(rng.Uniform() * 3) % 3]}};
    out.emplace_back(p, score(p));
  }
  return out;
}

double Of(const std::vector<ParamImportance>& imp, const std::string& name) {
  for (const auto& i : imp) {
    if (i.name == name) return i.importance;
  }
  ADD_FAILURE() << name << " missing";
  return -1;
}

TEST(PedAnova, AnObjectiveOfTheLearningRateAloneMakesItTheImportantOne) {
  const auto trials = Trials(
      300,
      [](const Params& p) {
        const double x = std::log10(p.at("lr").number()) + 2.5;
        return 0.9 - x * x;  // best at lr 10^-2.5, maximised
      },
      1);
  const auto imp = PedAnovaImportance(SpaceOf(), trials, /*maximize=*/true);
  ASSERT_EQ(imp.size(), 4u);
  EXPECT_EQ(imp[0].name, "lr");
  EXPECT_GT(Of(imp, "lr"), 0.8);
  double sum = 0;
  for (const auto& i : imp) sum += i.importance;
  EXPECT_NEAR(sum, 1.0, 1e-9);
}

TEST(PedAnova, ACategoricalParameterAndTheDirectionAreHonoured) {
  // Only the optimizer matters (the ties put every adam trial among the best). Had
  // dropout broken the ties, it would rank first, rightly: the best 10% would then be
  // the adam trials with the lowest dropout, crowded into a corner of its range.
  const auto trials = Trials(
      300, [](const Params& p) { return p.at("optimizer").as_string() == "adam" ? 0.1 : 0.5; }, 2);
  const auto minimized = PedAnovaImportance(SpaceOf(), trials, /*maximize=*/false);
  EXPECT_EQ(minimized[0].name, "optimizer");
  EXPECT_GT(Of(minimized, "optimizer"), 0.6);
  // Maximising the same values: the best trials are the non-adam ones, still told
  // apart by the optimizer.
  const auto maximized = PedAnovaImportance(SpaceOf(), trials, /*maximize=*/true);
  EXPECT_EQ(maximized[0].name, "optimizer");
}

TEST(PedAnova, NothingToTellGivesZerosNotNoise) {
  EXPECT_EQ(PedAnovaImportance(SpaceOf(), {}, true).size(), 4u);
  for (const auto& i : PedAnovaImportance(SpaceOf(),
                                          Trials(
                                              1, [](const Params&) { return 0.5; }, 3),
                                          true)) {
    EXPECT_EQ(i.importance, 0.0);
  }
  // Every trial ties: all are "the best", so no parameter separates them.
  for (const auto& i : PedAnovaImportance(SpaceOf(),
                                          Trials(
                                              50, [](const Params&) { return 0.5; }, 4),
                                          true)) {
    EXPECT_EQ(i.importance, 0.0);
  }
}

TEST(PedAnova, AConditionalParameterCountsOnlyWhereItIsActive) {
  auto trials = Trials(
      300, [](const Params& p) { return p.at("dropout").number(); }, 5);
  for (auto& [p, v] : trials) {
    if (p.at("optimizer").as_string() != "adam") p.erase("dropout");  // as a `when` parameter is
  }
  const auto imp = PedAnovaImportance(SpaceOf(), trials, /*maximize=*/false);
  EXPECT_GT(Of(imp, "dropout"), 0.0);
  for (const auto& i : imp) EXPECT_TRUE(std::isfinite(i.importance)) << i.name;
}

}  // namespace
}  // namespace hpsearch::search
