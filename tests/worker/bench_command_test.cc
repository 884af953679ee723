// `hpsearch-worker bench --all`: the table has a row per optimizer and batch, each
// with a throughput and a fraction of a measured GEMM ceiling (tiny runs: this checks
// the shape and the arithmetic, never a speed).
#include "worker/commands/bench_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "worker/trainer/gemm_ceiling.h"

namespace hpsearch::commands {
namespace {

TEST(BenchAll, ARowPerOptimizerAndBatchWithFractionsOfTheCeiling) {
  BenchOptions o;
  o.all = true;
  o.seconds = 0.01;
  o.samples = 256;
  o.hidden = {16};
  std::ostringstream out, err;
  ASSERT_EQ(RunBenchCommand(o, out, err), 0) << err.str();
  std::istringstream lines(out.str());
  std::string line;
  std::getline(lines, line);
  EXPECT_THAT(line, ::testing::HasSubstr("network 784-16-10"));
  std::getline(lines, line);  // the column header
  int rows = 0;
  std::map<int, std::pair<double, double>> ceilings;  // per batch: one and two threads
  while (std::getline(lines, line)) {
    char opt[16];
    int batch;
    double s1, c1, f1, s2, c2, f2;
    ASSERT_EQ(
        std::sscanf(line.c_str(), "%15s %d | %lf %lf %lf%% | %lf %lf %lf%%", opt, &batch, &s1, &c1, &f1, &s2, &c2, &f2),
        8)
        << line;
    EXPECT_TRUE(batch == 32 || batch == 64 || batch == 128) << line;
    EXPECT_GT(s1, 0);
    EXPECT_GT(c1, 0);
    EXPECT_NEAR(f1, 100 * s1 / c1, 0.5 + 1e-9 * f1) << line;
    EXPECT_NEAR(f2, 100 * s2 / c2, 0.5 + 1e-9 * f2) << line;
    // One ceiling per batch size: the same products whatever the optimizer.
    auto [it, first] = ceilings.emplace(batch, std::make_pair(c1, c2));
    if (!first) {
      EXPECT_EQ(it->second, std::make_pair(c1, c2)) << line;
    }
    ++rows;
  }
  EXPECT_EQ(rows, 21);  // 7 optimizers × 3 batch sizes
}

// The benchmark CNN's FLOPs by hand: conv 1 (the data's: no dX) 2·9·1·32·784 twice,
// conv 2 2·9·32·64·196 three times, dense 3136→128 and 128→10 three times each.
TEST(BenchCnn, ReportsTheNetsFlopsAndItsLayers) {
  BenchOptions o;
  o.layers = BenchCnnLayers();
  o.hidden = {128};
  o.batch = 16;
  o.seconds = 0.01;
  o.samples = 64;
  std::ostringstream out, err;
  ASSERT_EQ(RunBenchCommand(o, out, err), 0) << err.str();
  const double expected = 2.0 * 451584 + 3.0 * 7225344 + 3.0 * 802816 + 3.0 * 2560;
  const std::string key = "\"mflop_per_sample\":";
  const std::size_t at = out.str().find(key);
  ASSERT_NE(at, std::string::npos) << out.str();
  EXPECT_NEAR(std::strtod(out.str().c_str() + at + key.size(), nullptr), expected / 1e6, 0.005);  // 24.995
  EXPECT_THAT(out.str(), ::testing::HasSubstr("\"layers\":[\"conv filters=32 kernel=3 padding=same\""));
  o.all = true;
  std::ostringstream none, why;
  EXPECT_EQ(RunBenchCommand(o, none, why), 2);
  EXPECT_THAT(why.str(), ::testing::HasSubstr("--all measures the dense net"));
}

TEST(GemmCeiling, PositiveForOneAndTwoThreads) {
  EXPECT_GT(trainer::GemmCeiling({32}, 32, 1, 0.01), 0);
  EXPECT_GT(trainer::GemmCeiling({32, 16}, 64, 2, 0.01), 0);
}

}  // namespace
}  // namespace hpsearch::commands
