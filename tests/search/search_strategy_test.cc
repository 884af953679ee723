// Property tests of the search strategies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <malloc.h>

#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/util/value_json.h"
#include "search/grid_strategy.h"
#include "search/spec_file.h"
#include "search/spec_validator.h"
#include "search/strategy.h"

namespace hpsearch::search {
namespace {

search::Spec Spec(const std::string& yaml) {
  auto s = client::ParseSpecYaml(yaml);
  EXPECT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(ValidateSpec(*s, {}).ok()) << ValidateSpec(*s, {});
  return *s;
}

// The trials as JSON objects (typed as the Params were), so properties read
// naturally: t["lr"].
std::vector<nlohmann::json> Generate(const search::Spec& spec, int64_t limit = 1 << 20) {
  auto st = MakeStrategy(spec);
  EXPECT_TRUE(st.ok()) << st.status();
  std::vector<nlohmann::json> out;
  while (static_cast<int64_t>(out.size()) < limit) {
    auto p = (*st)->Next();
    if (!p) break;
    out.push_back(ToJson(*p));
  }
  return out;
}

const char* kRandom = R"(
dataset: iris
method: random
seed: 11
budget: {max_trials: 4000}
fixed: {early_stopping: true}
parameters:
  lr: {min: 1.0e-4, max: 1.0, scale: log}
  l2: {min: 0.0, max: 0.5}
  epochs: {min: 1, max: 5, type: int}
  optimizer: {values: [sgd, momentum, adam, rmsprop]}
  dropout: {min: 0.0, max: 0.5, step: 0.1}
  patience: {min: 1, max: 100, type: int, scale: log}
)";

TEST(RandomSearch, BoundsRespectedAndDistributionsRight) {
  auto trials = Generate(Spec(kRandom));
  ASSERT_EQ(trials.size(), 4000u);
  std::vector<double> lrs;
  std::map<int64_t, int> epochs;
  std::map<std::string, int> opts;
  std::set<double> dropouts;
  std::set<int64_t> patience;
  for (const auto& t : trials) {
    const double lr = t["lr"];
    EXPECT_GE(lr, 1e-4);
    EXPECT_LE(lr, 1.0);
    lrs.push_back(lr);
    EXPECT_GE(t["l2"].get<double>(), 0.0);
    EXPECT_LE(t["l2"].get<double>(), 0.5);
    ASSERT_TRUE(t["epochs"].is_number_integer());
    epochs[t["epochs"].get<int64_t>()]++;
    opts[t["optimizer"]]++;
    dropouts.insert(t["dropout"].get<double>());
    patience.insert(t["patience"].get<int64_t>());
  }
  // Log-uniform: the median is the geometric mean of the bounds (1e-2).
  std::nth_element(lrs.begin(), lrs.begin() + 2000, lrs.end());
  EXPECT_NEAR(std::log10(lrs[2000]), -2.0, 0.15);
  // Integers: both ends reachable, roughly uniform.
  EXPECT_EQ(epochs.size(), 5u);
  for (auto [v, n] : epochs) EXPECT_NEAR(n, 800, 120) << v;
  EXPECT_TRUE(patience.contains(1));
  EXPECT_TRUE(patience.contains(100));
  // Categorical near uniform.
  for (auto [v, n] : opts) EXPECT_NEAR(n, 1000, 130) << v;
  // Quantised to the step, both ends included.
  EXPECT_EQ(dropouts, (std::set<double>{0.0, 0.1, 0.2, 0.3, 0.4, 0.5}));
}

TEST(RandomSearch, DeterministicAndSeedDependent) {
  auto spec = Spec(kRandom);
  auto a = Generate(spec, 50), b = Generate(spec, 50);
  EXPECT_EQ(a, b);
  spec.seed = 12;
  EXPECT_NE(Generate(spec, 50), a);
}

TEST(RandomSearch, NeverEmitsDuplicatesAndExhaustsFiniteSpaces) {
  auto spec = Spec(R"(
dataset: iris
budget: {max_trials: 100}
parameters:
  optimizer: {values: [sgd, adam]}
  batch_size: {values: [16, 32, 64]}
  dropout: {min: 0.0, max: 0.2, step: 0.1}
)");
  auto st = MakeStrategy(spec);
  EXPECT_EQ((*st)->total(), 18);
  EXPECT_THAT((*st)->note(), ::testing::HasSubstr("only 18 distinct configurations; running each once"));
  auto trials = Generate(spec);
  ASSERT_EQ(trials.size(), 18u);
  std::set<std::string> seen;
  for (const auto& t : trials) EXPECT_TRUE(seen.insert(t.dump()).second) << t.dump();
  // A larger finite space sampled with de-duplication.
  auto big = Spec(R"(
dataset: iris
budget: {max_trials: 150}
parameters:
  epochs: {min: 1, max: 20, type: int}
  batch_size: {values: [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]}
)");
  auto t2 = Generate(big);
  ASSERT_EQ(t2.size(), 150u);
  std::set<std::string> s2;
  for (const auto& t : t2) EXPECT_TRUE(s2.insert(t.dump()).second);
}

TEST(RandomSearch, ConditionalParametersOnlyWhenActive) {
  auto trials = Generate(Spec(R"(
dataset: iris
budget: {max_trials: 300}
parameters:
  optimizer: {values: [sgd, momentum, nesterov, adam]}
  momentum: {min: 0.5, max: 0.99, when: {optimizer: [momentum, nesterov]}}
  beta1: {min: 0.8, max: 0.99, when: {optimizer: adam}}
)"));
  int with_momentum = 0;
  for (const auto& t : trials) {
    const std::string o = t["optimizer"];
    EXPECT_EQ(t.contains("momentum"), o == "momentum" || o == "nesterov") << t.dump();
    EXPECT_EQ(t.contains("beta1"), o == "adam") << t.dump();
    with_momentum += t.contains("momentum");
  }
  EXPECT_GT(with_momentum, 100);
}

TEST(GridSearch, CountsOrderAndLogSpacing) {
  auto trials = Generate(Spec(R"(
dataset: iris
method: grid
parameters:
  optimizer: {values: [sgd, adam]}
  lr: {min: 1.0e-4, max: 1.0e-1, scale: log, count: 4}
  batch_size: {min: 16, max: 48, step: 16, type: int}
)"));
  ASSERT_EQ(trials.size(), 2u * 4 * 3);
  // Spec order, last parameter fastest.
  EXPECT_EQ(trials[0]["optimizer"], "sgd");
  EXPECT_EQ(trials[0]["batch_size"], 16);
  EXPECT_EQ(trials[1]["batch_size"], 32);
  EXPECT_EQ(trials[3]["lr"].get<double>(), trials[4]["lr"].get<double>());
  EXPECT_EQ(trials[12]["optimizer"], "adam");
  const double lrs[4] = {trials[0]["lr"], trials[3]["lr"], trials[6]["lr"], trials[9]["lr"]};
  EXPECT_DOUBLE_EQ(lrs[0], 1e-4);
  EXPECT_DOUBLE_EQ(lrs[3], 1e-1);
  for (int i = 1; i < 4; ++i) EXPECT_NEAR(lrs[i] / lrs[i - 1], 10.0, 1e-9);
  // The decimals users expect, exactly (printed shortest: 0.001, not 0.0010000000000000002).
  EXPECT_EQ(lrs[1], 0.001);
  EXPECT_EQ(lrs[2], 0.01);
  EXPECT_EQ(trials[3]["lr"].dump(), "0.001");
  std::set<std::string> seen;
  for (const auto& t : trials) EXPECT_TRUE(seen.insert(t.dump()).second);
}

TEST(GridSearch, ConditionalParametersDoNotMultiplyWhereInactive) {
  auto trials = Generate(Spec(R"(
dataset: iris
method: grid
parameters:
  optimizer: {values: [sgd, momentum, adam]}
  momentum: {values: [0.5, 0.9, 0.99], when: {optimizer: momentum}}
  batch_size: {values: [32, 64]}
)"));
  // sgd: 2, momentum: 3×2, adam: 2.
  ASSERT_EQ(trials.size(), 10u);
  int with = 0;
  for (const auto& t : trials) {
    EXPECT_EQ(t.contains("momentum"), t["optimizer"] == "momentum");
    with += t.contains("momentum");
  }
  EXPECT_EQ(with, 6);
}

TEST(GridSearch, HugeGridIsLazy) {
  auto spec = Spec(R"(
dataset: iris
method: grid
parameters:
  lr: {min: 1.0e-5, max: 1.0, scale: log, count: 1000}
  l2: {min: 1.0e-6, max: 1.0e-1, scale: log, count: 1000}
  l1: {min: 0.0, max: 1.0e-2, count: 1000}
  dropout: {min: 0.0, max: 0.5, count: 1000}
)");
  // Lazy: 10^12 points held as their axes (materialising them could not finish).
  auto st = MakeStrategy(spec);
  EXPECT_EQ((*st)->total(), 1'000'000'000'000);
  auto g = dynamic_cast<GridStrategy*>(st->get());
  ASSERT_NE(g, nullptr);
  Params last = g->At(999'999'999'999ull);
  EXPECT_DOUBLE_EQ(last.at("lr").as_double(), 1.0);
  EXPECT_DOUBLE_EQ(last.at("dropout").as_double(), 0.5);
}

TEST(GridSearch, SizeSaturatesInsteadOfOverflowing) {
  std::string yaml = "dataset: iris\nmethod: grid\nparameters:\n";
  for (const char* p : {"lr", "l2", "l1", "dropout", "input_noise", "label_smoothing", "bias_init"})
    yaml += std::string("  ") + p + ": {min: 0.0001, max: 0.5, count: 1000000}\n";
  auto spec = Spec(yaml);
  GridStrategy g(*SearchSpace::Build(spec), 0);
  EXPECT_EQ(g.size(), static_cast<uint64_t>(INT64_MAX));
  spec.budget.max_trials = 5;
  EXPECT_EQ(Generate(spec).size(), 5u);
}

// The audit's 254-byte spec: three axes of 10^7 points each (step 5e-8 over [0, 0.5])
// held 1.6 GB once materialised. Each point is computed from its index now: building
// the strategy and reading any point costs a few kilobytes of heap.
TEST(GridSearch, AxesAreComputedFromTheIndexNotStored) {
  auto spec = Spec(R"(
dataset: iris
method: grid
budget: {max_trials: 10}
parameters:
  l1: {min: 0, max: 0.5, step: 5.0e-8}
  l2: {min: 0, max: 0.5, step: 5.0e-8}
  dropout: {min: 0, max: 0.5, step: 5.0e-8}
)");
  const std::size_t before = mallinfo2().uordblks;
  auto st = MakeStrategy(spec);
  ASSERT_TRUE(st.ok()) << st.status();
  auto g = dynamic_cast<GridStrategy*>(st->get());
  ASSERT_NE(g, nullptr);
  EXPECT_LT(mallinfo2().uordblks - before, 64u << 10) << "the grid's heap";
  EXPECT_EQ(g->size(), static_cast<uint64_t>(INT64_MAX));  // 10^21 points, saturated
  EXPECT_EQ((*st)->total(), 10);
  const Params first = g->At(0), third = g->At(2);
  EXPECT_EQ(first.at("dropout").as_double(), 0.0);
  EXPECT_EQ(third.at("dropout").as_double(), 1.0e-7);
  EXPECT_EQ(third.at("l1").as_double(), 0.0);
  // The last point of an axis: 10,000,000 steps of 5e-8.
  std::string yaml = "dataset: iris\nmethod: grid\nparameters:\n  l1: {min: 0, max: 0.5, step: 5.0e-8}\n";
  GridStrategy one(*SearchSpace::Build(Spec(yaml)), 0);
  EXPECT_EQ(one.size(), 10'000'001u);
  EXPECT_EQ(one.At(10'000'000).at("l1").as_double(), 0.5);
  EXPECT_EQ(one.At(1'234'567).at("l1").as_double(), 0.06172835);
}

// An integer range with `count` skips the integers its spacing repeats; computing a
// point from its index gives exactly the list that writing them all out and
// dropping repeats gives, for linear and log spacing, few and many points.
TEST(GridSearch, IntegerCountAxesSkipRepeatsAsAWrittenOutListWould) {
  for (const char* scale : {"linear", "log"}) {
    for (const auto& [lo, hi, count] : std::vector<std::tuple<int, int, int>>{{1, 16, 20},
                                                                              {1, 16, 16},
                                                                              {1, 1000, 100},
                                                                              {1, 100000, 5000},
                                                                              {1, 100000, 100000},
                                                                              {3, 7, 5},
                                                                              {10, 10, 1},
                                                                              {1, 50, 3}}) {
      if (std::string(scale) == "linear" && count > hi - lo + 1) continue;
      const std::string yaml = absl::StrCat(
          "dataset: iris\nmethod: grid\nfixed: {early_stopping: true}\nparameters:\n  patience: {min: ", lo,
          ", max: ", hi, ", type: int, scale: ", scale, ", count: ", count, "}\n");
      auto space = SearchSpace::Build(Spec(yaml));
      ASSERT_TRUE(space.ok());
      const Dimension& d = space->dims()[0];
      std::vector<int64_t> written;  // every point, repeats dropped
      for (int k = 0; k < count; ++k) {
        const double t = count == 1 ? 0 : static_cast<double>(k) / (count - 1);
        double v = std::string(scale) == "log" ? std::pow(10.0, std::log10(lo) + t * (std::log10(hi) - std::log10(lo)))
                                               : lo + t * (hi - lo);
        if (k == 0) v = lo;
        if (k == count - 1) v = hi;
        const int64_t i = std::llround(std::stod(absl::StrFormat("%.12g", v)));
        if (written.empty() || written.back() != i) written.push_back(i);
      }
      ASSERT_EQ(d.GridSize(), written.size()) << yaml;
      for (std::size_t j = 0; j < written.size(); ++j) {
        ASSERT_EQ(d.GridValue(j).as_int(), written[j]) << yaml << " point " << j;
      }
    }
  }
}

TEST(Strategy, SkipResumesTheSameSequence) {
  auto spec = Spec(kRandom);
  auto all = Generate(spec, 30);
  auto st = MakeStrategy(spec);
  (*st)->Skip(20);
  EXPECT_EQ(ToJson(*(*st)->Next()), all[20]);
}

TEST(Params, CanonicalHashIgnoresInsertionOrder) {
  Params a = {{"b", 1}, {"a", "x"}};
  Params b;
  b["a"] = "x";
  b["b"] = 1;
  EXPECT_EQ(ConfigHash(a), ConfigHash(b));
  b["b"] = 2;
  EXPECT_NE(ConfigHash(a), ConfigHash(b));
}

}  // namespace
}  // namespace hpsearch::search
