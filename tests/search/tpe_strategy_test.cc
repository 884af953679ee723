// TPE on synthetic objectives (no training): it must beat random search by a wide
// margin, stay deterministic, keep parallel workers apart with the constant liar,
// and resume from a stored history exactly where it was.
#include "search/tpe_strategy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <set>

#include "search/random_strategy.h"
#include "tests/search/search_space_fixture.h"

namespace hpsearch::search {
namespace {

using test::Space;

double Num(const Params& p, const std::string& k) { return p.at(k).number(); }
std::string Str(const Params& p, const std::string& k) { return p.at(k).as_string(); }

// Minimised. Optimum 0: lr = 10^-2.5, dropout = 0.3, adam.
const char* kQuadraticSpace = R"(  lr: {min: 1.0e-5, max: 1.0, scale: log}
  dropout: {min: 0.0, max: 0.8}
  optimizer: {values: [sgd, momentum, adam, rmsprop]}
)";
double Quadratic(const Params& p) {
  const std::map<std::string, double> offset = {{"sgd", 0.8}, {"momentum", 0.4}, {"adam", 0.0}, {"rmsprop", 0.2}};
  const double l = std::log10(Num(p, "lr")) + 2.5, d = Num(p, "dropout") - 0.3;
  return l * l + 4 * d * d + offset.at(Str(p, "optimizer"));
}

// Branin-Hoo on [−5, 10] × [0, 15]; minimum 0.397887.
const char* kBraninSpace = "  x1: {min: -5.0, max: 10.0}\n  x2: {min: 0.0, max: 15.0}\n";
double Branin(const Params& p) {
  const double x1 = Num(p, "x1"), x2 = Num(p, "x2");
  const double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);
  const double a = x2 - b * x1 * x1 + c * x1 - 6;
  return a * a + 10 * (1 - t) * std::cos(x1) + 10 - 0.397887;
}

// Conditional: momentum exists only with optimizer: momentum. Optimum 0.
const char* kConditionalSpace = R"(  optimizer: {values: [sgd, momentum]}
  lr: {min: 1.0e-4, max: 1.0, scale: log}
  momentum: {min: 0.0, max: 0.99, when: {optimizer: [momentum]}}
  batch_size: {values: [16, 32, 64, 128, 256]}
)";
double Conditional(const Params& p) {
  const double l = std::log10(Num(p, "lr")) + 1.5;
  const double b = std::log2(Num(p, "batch_size")) - 6;  // 64 is best
  const double rest = Str(p, "optimizer") == "sgd" ? 0.5 : 3 * std::pow(Num(p, "momentum") - 0.9, 2);
  EXPECT_EQ(p.contains("momentum"), Str(p, "optimizer") == "momentum");
  return l * l + 0.1 * b * b + rest;
}

// Runs `trials` sequential trials; returns the best (smallest) value found.
double BestOf(Strategy& s, const std::function<double(const Params&)>& f, int trials) {
  double best = HUGE_VAL;
  for (int i = 0; i < trials; ++i) {
    auto p = s.Next();
    EXPECT_TRUE(p.has_value());
    if (!p) break;
    s.Observe({i, *p, TrialState::kRunning});
    const double v = f(*p);
    s.Observe({i, *p, TrialState::kCompleted, v});
    best = std::min(best, v);
  }
  return best;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

struct Problem {
  const char* name;
  const char* space;
  std::function<double(const Params&)> f;
};

class TpeVersusRandom : public ::testing::TestWithParam<Problem> {};

TEST_P(TpeVersusRandom, MedianRegretAfter60TrialsIsAtMostHalfOfRandoms) {
  const Problem& pb = GetParam();
  std::vector<double> tpe, random;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    TpeStrategy t(Space(pb.space), TpeOptions{}, seed, 60, /*maximize=*/false);
    RandomStrategy r(Space(pb.space), seed, 60);
    tpe.push_back(BestOf(t, pb.f, 60));
    random.push_back(BestOf(r, pb.f, 60));
    EXPECT_EQ(t.modelled(), 50);  // 10 start-up trials, then the model
  }
  const double mt = Median(tpe), mr = Median(random);
  std::printf("%s: median regret after 60 trials: tpe %.4g, random %.4g (%.2fx)\n", pb.name, mt, mr, mr / mt);
  EXPECT_LE(mt, 0.5 * mr) << pb.name;
}

INSTANTIATE_TEST_SUITE_P(Synthetic, TpeVersusRandom,
                         ::testing::Values(Problem{"quadratic", kQuadraticSpace, Quadratic},
                                           Problem{"branin", kBraninSpace, Branin},
                                           Problem{"conditional", kConditionalSpace, Conditional}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Tpe, StartUpTrialsAreTheRandomSearchsOwn) {
  TpeStrategy t(Space(kQuadraticSpace), TpeOptions{}, 7, 100, false);
  RandomStrategy r(Space(kQuadraticSpace), 7, 100);
  for (int i = 0; i < 10; ++i) {
    auto a = t.Next(), b = r.Next();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, *b) << "trial " << i;
    // Finished or not, nothing changes before 10 trials have finished.
    t.Observe({i, *a, TrialState::kCompleted, Quadratic(*a)});
  }
  EXPECT_EQ(t.modelled(), 0);
  EXPECT_TRUE(t.Next().has_value());
  EXPECT_EQ(t.modelled(), 1);
}

TEST(Tpe, DeterministicForASeedAndAnOrderOfObservations) {
  auto run = [](uint64_t seed) {
    TpeStrategy t(Space(kBraninSpace), TpeOptions{}, seed, 40, false);
    std::vector<Params> out;
    for (int i = 0; i < 40; ++i) {
      auto p = t.Next();
      t.Observe({i, *p, TrialState::kCompleted, Branin(*p)});
      out.push_back(*p);
    }
    return out;
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

// Feeds the same 20 finished trials in different states; returns the next suggestion.
Params After(const std::function<TrialState(int)>& state, bool liar = true) {
  TpeOptions o;
  o.constant_liar = liar;
  TpeStrategy t(Space(kBraninSpace), o, 3, 100, false);
  for (int i = 0; i < 20; ++i) {
    auto p = t.Next();
    t.Observe({i, *p, TrialState::kRunning});
    if (i >= 12) {
      const TrialState s = state(i);
      t.Observe({i, *p, s, s == TrialState::kFailed ? std::nullopt : std::optional<double>(Branin(*p)), 1});
    } else {
      t.Observe({i, *p, TrialState::kCompleted, Branin(*p)});
    }
  }
  return *t.Next();
}

TEST(Tpe, FailedAndWaitingTrialsAreIgnoredPrunedOnesCount) {
  const Params failed = After([](int) { return TrialState::kFailed; });
  EXPECT_EQ(failed, After([](int) { return TrialState::kWaiting; }));
  // Running trials are ignored without the constant liar...
  EXPECT_EQ(failed, After([](int) { return TrialState::kRunning; }, /*liar=*/false));
  // ...and are counted as bad ones with it.
  EXPECT_NE(failed, After([](int) { return TrialState::kRunning; }));
  EXPECT_NE(failed, After([](int) { return TrialState::kPruned; }));
  EXPECT_NE(After([](int) { return TrialState::kCompleted; }), After([](int) { return TrialState::kPruned; }));
}

// Four workers: each finished trial is replaced by a new suggestion at once. Returns
// the mean distance (in log10 lr) from each suggestion to the nearest one in flight.
double FourWorkers(bool liar, uint64_t seed, std::set<uint64_t>* in_flight_dups) {
  TpeOptions o;
  o.constant_liar = liar;
  TpeStrategy t(Space("  lr: {min: 1.0e-5, max: 1.0, scale: log}\n"), o, seed, 200, false);
  auto f = [](const Params& p) { return std::pow(std::log10(Num(p, "lr")) + 2, 2); };
  std::deque<std::pair<int, Params>> running;
  double gaps = 0;
  int measured = 0;
  for (int i = 0; i < 60; ++i) {
    if (running.size() == 4) {
      auto [j, p] = running.front();
      running.pop_front();
      t.Observe({j, p, TrialState::kCompleted, f(p)});
    }
    auto p = t.Next();
    if (i >= 10 && i < 60) {
      double nearest = HUGE_VAL;
      for (const auto& [j, q] : running) {
        nearest = std::min(nearest, std::abs(std::log10(Num(*p, "lr")) - std::log10(Num(q, "lr"))));
        if (ConfigHash(q) == ConfigHash(*p)) in_flight_dups->insert(ConfigHash(*p));
      }
      gaps += nearest;
      ++measured;
    }
    t.Observe({i, *p, TrialState::kRunning});
    running.emplace_back(i, *p);
  }
  return gaps / measured;
}

TEST(Tpe, ConstantLiarKeepsParallelSuggestionsApart) {
  std::set<uint64_t> dups;
  double with = 0, without = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    with += FourWorkers(true, seed, &dups) / 10;
    without += FourWorkers(false, seed, &dups) / 10;
  }
  std::printf("mean gap to the nearest trial in flight (log10 lr): constant liar %.4f, without %.4f\n", with, without);
  EXPECT_TRUE(dups.empty());
  EXPECT_GT(with, 1.2 * without);
}

TEST(Tpe, RestoredFromItsHistoryItSuggestsWhatItWouldHave) {
  TpeStrategy live(Space(kConditionalSpace), TpeOptions{}, 4, 100, false);
  std::vector<Observation> history;
  for (int i = 0; i < 30; ++i) {
    auto p = live.Next();
    live.Observe({i, *p, TrialState::kRunning});
    Observation o{i, *p, TrialState::kRunning};
    if (i % 5 == 3) {
      o = {i, *p, TrialState::kPruned, Conditional(*p) + 1, 2};
    } else if (i % 7 == 6) {
      o = {i, *p, TrialState::kFailed};
    } else if (i < 27) {
      o = {i, *p, TrialState::kCompleted, Conditional(*p)};
    }
    live.Observe(o);
    history.push_back(o);
  }
  TpeStrategy restored(Space(kConditionalSpace), TpeOptions{}, 4, 100, false);
  restored.Restore(30, history);
  for (int i = 30; i < 35; ++i) {
    auto a = live.Next(), b = restored.Next();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, *b) << "trial " << i;
    live.Observe({i, *a, TrialState::kCompleted, Conditional(*a)});
    restored.Observe({i, *b, TrialState::kCompleted, Conditional(*b)});
  }
}

TEST(Tpe, MaximisingIsMinimisingTheNegation) {
  TpeStrategy lo(Space(kBraninSpace), TpeOptions{}, 2, 40, false), hi(Space(kBraninSpace), TpeOptions{}, 2, 40, true);
  for (int i = 0; i < 40; ++i) {
    auto a = lo.Next(), b = hi.Next();
    ASSERT_EQ(*a, *b);
    lo.Observe({i, *a, TrialState::kCompleted, Branin(*a)});
    hi.Observe({i, *b, TrialState::kCompleted, -Branin(*b)});
  }
}

TEST(Tpe, AFiniteSpaceRunsOutWithoutRepeating) {
  TpeStrategy t(Space("  optimizer: {values: [sgd, adam]}\n  batch_size: {values: [32, 64]}\n"), TpeOptions{}, 1, 10,
                false);
  std::set<uint64_t> seen;
  int n = 0;
  while (auto p = t.Next()) {
    EXPECT_TRUE(seen.insert(ConfigHash(*p)).second);
    t.Observe({n, *p, TrialState::kCompleted, 1.0 * n});
    ++n;
  }
  EXPECT_EQ(n, 4);
  EXPECT_THAT(t.note(), ::testing::HasSubstr("exhausted after 4"));
}

TEST(Tpe, IndependentModeAlsoLearns) {
  TpeOptions o;
  o.multivariate = false;
  std::vector<double> tpe, random;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    TpeStrategy t(Space(kQuadraticSpace), o, seed, 60, false);
    RandomStrategy r(Space(kQuadraticSpace), seed, 60);
    tpe.push_back(BestOf(t, Quadratic, 60));
    random.push_back(BestOf(r, Quadratic, 60));
  }
  EXPECT_LE(Median(tpe), 0.5 * Median(random));
}

}  // namespace
}  // namespace hpsearch::search
