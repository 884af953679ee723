// Multi-objective search on the ZDT problems (Zitzler, Deb and Thiele, 2000): MOTPE
// and NSGA-II must reach a larger hypervolume than random search with the same
// seeds and trial count; NSGA-II must breed valid children of conditional spaces,
// stay deterministic and rebuild its generations after a restart.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <set>

#include "search/nsga2_strategy.h"
#include "search/objectives.h"
#include "search/random_strategy.h"
#include "search/tpe_strategy.h"
#include "tests/search/search_space_fixture.h"

namespace hpsearch::search {
namespace {

using test::Space;

constexpr int kVariables = 5;

std::string ZdtSpace() {
  std::string s;
  for (int i = 0; i < kVariables; ++i) s += "  x" + std::to_string(i) + ": {min: 0.0, max: 1.0}\n";
  return s;
}

// Both objectives minimised; the front is f2 = 1 − √f1 (ZDT1) or 1 − f1² (ZDT2), with
// every x_i = 0 for i ≥ 1.
std::vector<double> Zdt(const Params& p, bool concave) {
  const double f1 = p.at("x0").number();
  double sum = 0;
  for (int i = 1; i < kVariables; ++i) sum += p.at("x" + std::to_string(i)).number();
  const double g = 1 + 9 * sum / (kVariables - 1);
  const double r = f1 / g;
  return {f1, g * (1 - (concave ? r * r : std::sqrt(r)))};
}

const std::vector<ResolvedObjective> kBothMinimised = {{"f1", false}, {"f2", false}};

// Runs `trials` sequential trials; the hypervolume of what they found, reference (1.1, 11).
double HypervolumeAfter(Strategy& s, int trials, bool concave) {
  std::vector<ObjectiveVector> found;
  for (int i = 0; i < trials; ++i) {
    auto p = s.Next();
    if (!p) break;
    Observation o{i, *p, TrialState::kCompleted};
    o.values = Zdt(*p, concave);
    o.value = o.values[0];
    s.Observe(o);
    found.push_back(o.values);
  }
  return Hypervolume(found, {1.1, 11.0});
}

struct Race {
  double random, tpe, nsga2;
};

Race RunZdt(bool concave, uint64_t seed, int trials) {
  RandomStrategy random(Space(ZdtSpace()), seed, trials);
  TpeStrategy tpe(Space(ZdtSpace()), TpeOptions{}, seed, trials, false, nullptr, kBothMinimised);
  Nsga2Options g;
  g.population = 20;
  Nsga2Strategy nsga2(Space(ZdtSpace()), g, seed, trials, kBothMinimised);
  return {HypervolumeAfter(random, trials, concave), HypervolumeAfter(tpe, trials, concave),
          HypervolumeAfter(nsga2, trials, concave)};
}

// Measured (hypervolume after 200 trials, seeds 1-3): ZDT1 random 9.8-10.2, MOTPE
// 11.5-11.6, NSGA-II 10.2-10.9; ZDT2 random 8.8-9.3, MOTPE 10.8-10.9, NSGA-II 9.0-10.5.
TEST(MultiObjectiveSearch, MotpeAndNsga2BeatRandomOnZdt1AndZdt2ForEverySeed) {
  for (bool concave : {false, true}) {
    for (uint64_t seed : {1, 2, 3}) {
      const Race r = RunZdt(concave, seed, 200);
      SCOPED_TRACE(testing::Message() << (concave ? "ZDT2" : "ZDT1") << " seed " << seed << ": random " << r.random
                                      << ", motpe " << r.tpe << ", nsga2 " << r.nsga2);
      EXPECT_GT(r.tpe, r.random);
      EXPECT_GT(r.nsga2, r.random);
    }
  }
}

TEST(MultiObjectiveSearch, MotpeDrawsFromItsModelOnceTheStartUpIsOver) {
  TpeStrategy tpe(Space(ZdtSpace()), TpeOptions{}, 5, 40, false, nullptr, kBothMinimised);
  HypervolumeAfter(tpe, 40, false);
  EXPECT_EQ(tpe.modelled(), 30);  // 10 random, then every one from the model
}

TEST(MultiObjectiveSearch, MotpeLearnsNothingFromATrialMissingAnObjective) {
  // Every completed trial lacks its second value: TPE never leaves its start-up.
  TpeStrategy tpe(Space(ZdtSpace()), TpeOptions{}, 5, 30, false, nullptr, kBothMinimised);
  for (int i = 0; i < 30; ++i) {
    auto p = tpe.Next();
    ASSERT_TRUE(p);
    Observation o{i, *p, TrialState::kCompleted, 0.5};
    o.values = {0.5};
    tpe.Observe(o);
  }
  EXPECT_EQ(tpe.modelled(), 0);
}

TEST(Nsga2Strategy, GenerationsAdvanceOncePopulationTrialsCompleted) {
  Nsga2Options g;
  g.population = 4;
  Nsga2Strategy s(Space(ZdtSpace()), g, 9, 30, kBothMinimised);
  // Five trials out at once: the fifth is still generation 0 (none completed yet).
  std::vector<Params> out;
  for (int i = 0; i < 5; ++i) {
    out.push_back(*s.Next());
    s.Observe(Observation{i, out.back(), TrialState::kRunning});
  }
  for (int i = 0; i < 5; ++i) EXPECT_EQ(s.generation(i), 0);
  for (int i = 0; i < 4; ++i) {
    Observation o{i, out[static_cast<std::size_t>(i)], TrialState::kCompleted};
    o.values = Zdt(out[static_cast<std::size_t>(i)], false);
    s.Observe(o);
  }
  auto bred = s.Next();
  ASSERT_TRUE(bred);
  s.Observe(Observation{5, *bred, TrialState::kRunning});
  EXPECT_EQ(s.generation(5), 1);
  EXPECT_EQ(s.bred(), 1);
}

const char* kConditionalSpace = R"(  optimizer: {values: [sgd, momentum, adam]}
  lr: {min: 1.0e-4, max: 1.0, scale: log}
  momentum: {min: 0.0, max: 0.99, when: {optimizer: [momentum]}}
  width: {values: [16, 32, 64]}
)";

// Two objectives over the conditional space; checks every configuration is well formed.
std::vector<double> Conditional(const Params& p) {
  EXPECT_EQ(p.contains("momentum"), p.at("optimizer").as_string() == "momentum");
  const double l = std::log10(p.at("lr").number()) + 2;
  const double m = p.contains("momentum") ? p.at("momentum").number() : 0.5;
  return {l * l + (1 - m), p.at("width").number() / 64 + m};
}

std::vector<Params> RunConditional(uint64_t seed, int trials) {
  Nsga2Options g;
  g.population = 6;
  Nsga2Strategy s(Space(kConditionalSpace), g, seed, trials, kBothMinimised);
  std::vector<Params> out;
  for (int i = 0; i < trials; ++i) {
    auto p = s.Next();
    if (!p) break;
    Observation o{i, *p, TrialState::kCompleted};
    o.values = Conditional(*p);
    s.Observe(o);
    out.push_back(*std::move(p));
  }
  EXPECT_GT(s.bred(), trials / 2);
  return out;
}

TEST(Nsga2Strategy, BreedsWellFormedDistinctChildrenOfAConditionalSpaceDeterministically) {
  const std::vector<Params> a = RunConditional(4, 60), b = RunConditional(4, 60), c = RunConditional(5, 60);
  ASSERT_EQ(a.size(), 60u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::set<uint64_t> distinct;
  for (const auto& p : a) distinct.insert(ConfigHash(p));
  EXPECT_EQ(distinct.size(), a.size());
}

TEST(Nsga2Strategy, WithOneObjectiveRanksByItsValue) {
  Nsga2Options g;
  g.population = 10;
  Nsga2Strategy nsga2(Space(ZdtSpace()), g, 3, 150, {{"f1", false}});
  RandomStrategy random(Space(ZdtSpace()), 3, 150);
  auto best = [](Strategy& s) {
    double lowest = 1e9;
    for (int i = 0; i < 150; ++i) {
      auto p = s.Next();
      const double v = Zdt(*p, false)[1];  // minimise f2 alone
      s.Observe(Observation{i, *p, TrialState::kCompleted, v});
      lowest = std::min(lowest, v);
    }
    return lowest;
  };
  EXPECT_LT(best(nsga2), best(random));
}

TEST(Nsga2Strategy, RestoreRebuildsTheGenerationsInTrialOrder) {
  Nsga2Options g;
  g.population = 3;
  Nsga2Strategy first(Space(ZdtSpace()), g, 11, 20, kBothMinimised);
  std::vector<Observation> history;
  for (int i = 0; i < 8; ++i) {
    auto p = first.Next();
    Observation o{i, *p, TrialState::kCompleted};
    o.values = Zdt(*p, false);
    first.Observe(o);
    history.push_back(o);
  }
  Nsga2Strategy resumed(Space(ZdtSpace()), g, 11, 20, kBothMinimised);
  resumed.Restore(8, history);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(resumed.generation(i), first.generation(i)) << i;
  // Completed in order, so the same generations, parents and next child.
  EXPECT_EQ(resumed.Next(), first.Next());
}

}  // namespace
}  // namespace hpsearch::search
