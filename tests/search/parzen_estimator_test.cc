// The Parzen estimator's kernels against hand-computed bandwidths and weights, and its
// densities against their definition (they integrate / sum to one over the axis).
#include "search/parzen_estimator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "search/search_space.h"
#include "tests/search/search_space_fixture.h"

namespace hpsearch::search {
namespace {

using test::Space;

TEST(Axis, CoordinatesOfEachKindOfRange) {
  SearchSpace s = Space(R"(  a: {min: 0.0, max: 10.0}
  b: {min: 1.0e-4, max: 1.0, scale: log}
  c: {min: 0, max: 4, type: int}
  d: {min: 0.0, max: 0.5, step: 0.1}
  e: {min: 1, max: 100, type: int, scale: log}
  f: {values: [x, y, z]}
)");
  Axis a(s.dims()[0]), b(s.dims()[1]), c(s.dims()[2]), d(s.dims()[3]), e(s.dims()[4]), f(s.dims()[5]);
  EXPECT_DOUBLE_EQ(a.low(), 0);
  EXPECT_DOUBLE_EQ(a.high(), 10);
  EXPECT_FALSE(a.discrete());
  EXPECT_DOUBLE_EQ(b.low(), std::log(1e-4));
  EXPECT_DOUBLE_EQ(b.Encode(Value(0.01)), std::log(0.01));
  EXPECT_NEAR(b.Decode(std::log(0.01)).number(), 0.01, 1e-15);
  // Discrete ranges widen by half a step; points decode onto the grid.
  EXPECT_DOUBLE_EQ(c.low(), -0.5);
  EXPECT_DOUBLE_EQ(c.high(), 4.5);
  EXPECT_EQ(c.Decode(2.49), Value(int64_t{2}));
  EXPECT_EQ(c.Decode(4.4), Value(int64_t{4}));
  EXPECT_EQ(c.Cell(3), (std::pair<double, double>{2.5, 3.5}));
  EXPECT_DOUBLE_EQ(d.low(), -0.05);
  EXPECT_EQ(d.Decode(0.26), Value(0.3));
  EXPECT_DOUBLE_EQ(e.low(), std::log(0.5));
  EXPECT_DOUBLE_EQ(e.high(), std::log(100.5));
  EXPECT_EQ(e.Decode(std::log(9.6)), Value(int64_t{10}));
  auto cell = e.Cell(std::log(10.0));
  EXPECT_DOUBLE_EQ(cell.first, std::log(9.5));
  EXPECT_DOUBLE_EQ(cell.second, std::log(10.5));
  EXPECT_TRUE(f.categorical());
  EXPECT_EQ(f.Encode(Value("y")), 1);
  EXPECT_EQ(f.Encode(Value("w")), -1);
  EXPECT_EQ(f.Decode(2), Value("z"));
}

TEST(ParzenEstimator, NeighbourGapBandwidthsAsOptunaComputesThem) {
  SearchSpace s = Space("  a: {min: 0.0, max: 10.0}\n");
  Axis a(s.dims()[0]);
  // Observations 1, 2, 6 and the prior at 5: sorted 1, 2, 5, 6 between the ends 0, 10.
  ParzenEstimator pe({&a}, {{1.0}, {2.0}, {6.0}}, {1, 1, 1});
  ASSERT_EQ(pe.kernels(), 4);
  // 1 is the lowest centre: inner gap only (2 − 1 = 1), clipped up to 10/5 = 2.
  EXPECT_DOUBLE_EQ(pe.sigma(0, 0), 2.0);
  // 2: max(2 − 1, 5 − 2) = 3.
  EXPECT_DOUBLE_EQ(pe.sigma(1, 0), 3.0);
  // 6 is the highest: inner gap 6 − 5 = 1 → clipped to 2.
  EXPECT_DOUBLE_EQ(pe.sigma(2, 0), 2.0);
  // The prior: centre 5, width 10.
  EXPECT_DOUBLE_EQ(pe.mu(3, 0), 5.0);
  EXPECT_DOUBLE_EQ(pe.sigma(3, 0), 10.0);

  // With 200 observations the floor is (high − low) / 100.
  std::vector<std::vector<double>> many;
  for (int i = 0; i < 200; ++i) many.push_back({5.0 + 1e-6 * i});
  ParzenEstimator dense({&a}, many, std::vector<double>(200, 1.0));
  EXPECT_DOUBLE_EQ(dense.sigma(100, 0), 0.1);
}

TEST(ParzenEstimator, ContinuousDensityIntegratesToOne) {
  SearchSpace s = Space("  a: {min: -3.0, max: 7.0}\n");
  Axis a(s.dims()[0]);
  ParzenEstimator pe({&a}, {{-2.5}, {0.0}, {6.9}}, {1, 2, 1});
  double sum = 0;
  const int n = 20000;
  const double h = 10.0 / n;
  for (int i = 0; i < n; ++i) sum += std::exp(pe.LogPdf({-3.0 + (i + 0.5) * h})) * h;
  EXPECT_NEAR(sum, 1.0, 1e-4);
}

TEST(ParzenEstimator, DiscreteMassesSumToOne) {
  SearchSpace s = Space("  c: {min: 1, max: 9, type: int}\n  e: {min: 1, max: 64, type: int, scale: log}\n");
  Axis c(s.dims()[0]), e(s.dims()[1]);
  ParzenEstimator pc({&c}, {{2}, {3}, {9}}, {1, 1, 1});
  double sum = 0;
  for (int v = 1; v <= 9; ++v) sum += std::exp(pc.LogPdf({static_cast<double>(v)}));
  EXPECT_NEAR(sum, 1.0, 1e-12);
  ParzenEstimator pe({&e}, {{std::log(2.0)}, {std::log(40.0)}}, {1, 1});
  sum = 0;
  for (int v = 1; v <= 64; ++v) sum += std::exp(pe.LogPdf({std::log(static_cast<double>(v))}));
  EXPECT_NEAR(sum, 1.0, 1e-12);
}

TEST(ParzenEstimator, CategoricalKernelsGiveThePriorItsShare) {
  SearchSpace s = Space("  f: {values: [x, y, z]}\n");
  Axis f(s.dims()[0]);
  // Two observations of y (index 1): each kernel puts 1 + 1/3 on y and 1/3 on the
  // others (prior weight 1 over 3 kernels), the prior kernel 1/3 everywhere.
  ParzenEstimator pe({&f}, {{1}, {1}}, {1, 1});
  const double own = (1 + 1.0 / 3) / (1 + 3.0 / 3), other = (1.0 / 3) / (1 + 3.0 / 3);
  const double w = 1.0 / 3;  // each of the three kernels, equal weights
  EXPECT_NEAR(std::exp(pe.LogPdf({1})), 2 * w * own + w / 3, 1e-12);
  EXPECT_NEAR(std::exp(pe.LogPdf({0})), 2 * w * other + w / 3, 1e-12);
  EXPECT_NEAR(std::exp(pe.LogPdf({0})) + std::exp(pe.LogPdf({1})) + std::exp(pe.LogPdf({2})), 1.0, 1e-12);
}

TEST(ParzenEstimator, SamplesStayOnTheAxisAndItsGrid) {
  SearchSpace s = Space("  d: {min: 0.0, max: 0.5, step: 0.1}\n  b: {min: 1.0e-4, max: 1.0, scale: log}\n");
  Axis d(s.dims()[0]), b(s.dims()[1]);
  ParzenEstimator pe({&d, &b}, {{0.0, std::log(1e-4)}, {0.5, 0.0}}, {1, 1});
  Rng rng(3);
  std::set<std::string> grid;
  for (int i = 0; i < 5000; ++i) {
    auto x = pe.Sample(rng);
    const Value dv = d.Decode(x[0]), bv = b.Decode(x[1]);
    grid.insert(dv.ToString());
    EXPECT_GE(bv.number(), 1e-4);
    EXPECT_LE(bv.number(), 1.0);
  }
  EXPECT_EQ(grid, (std::set<std::string>{"0.0", "0.1", "0.2", "0.3", "0.4", "0.5"}));
}

TEST(RecencyWeights, FlatBelow25ThenARampForOlderTrials) {
  EXPECT_EQ(RecencyWeights(3), std::vector<double>(3, 1.0));
  EXPECT_EQ(RecencyWeights(25), std::vector<double>(25, 1.0));
  const auto w = RecencyWeights(30);  // linspace(1/30, 1, 5) then 25 ones
  EXPECT_DOUBLE_EQ(w[0], 1.0 / 30);
  EXPECT_DOUBLE_EQ(w[4], 1.0);
  EXPECT_NEAR(w[2], (1.0 / 30 + 1.0) / 2, 1e-15);
  EXPECT_DOUBLE_EQ(w[29], 1.0);
}

}  // namespace
}  // namespace hpsearch::search
