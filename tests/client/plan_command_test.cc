// `hpsearch plan` as a user runs it: the real binary, real example files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "nlohmann/json.hpp"
#include "tests/client/run_cli.h"

namespace {

using Result = hpsearch::testing::CliResult;
using hpsearch::testing::RunCli;

std::string Example(const char* name) { return std::string(HPSEARCH_SOURCE_DIR) + "/examples/" + name; }

TEST(PlanCommand, EveryExampleIsValid) {
  for (const char* f :
       {"quickstart.yaml", "fashion-mnist.yaml", "optimizers-grid.yaml", "init-study.yaml", "fashion-tpe-asha.yaml",
        "own-code/quadratic.yaml", "own-code/shell.yaml", "init-study-conv.yaml"}) {
    Result r = RunCli("plan " + Example(f));
    EXPECT_EQ(r.code, 0) << f << "\n" << r.out;
    EXPECT_THAT(r.out, ::testing::HasSubstr("is valid")) << f;
  }
}

// A trial file given to plan (or submit) is named for what it is, with how to run it.
TEST(PlanCommand, ATrialFileIsRecognisedAndPointedToTheTrainer) {
  Result r = RunCli("plan " + Example("trial.yaml"));
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, ::testing::HasSubstr("this looks like a trial file (one configuration: "));
  EXPECT_THAT(r.out, ::testing::HasSubstr("train it with `hpsearch-worker train --config FILE`"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("under `fixed:`"));
}

// A conv net's shapes layer by layer, with each layer's parameters and the total
// (the lecture's shapes: height × width × channels).
TEST(PlanCommand, AConvNetShowsItsShapesLayerByLayer) {
  Result r = RunCli("plan " + Example("init-study-conv.yaml") + " --limit 2");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, ::testing::HasSubstr("network of trials 0, 1:"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("input "));
  EXPECT_THAT(r.out, ::testing::HasSubstr("28×28×1"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("conv 16 3×3 stride 1 padding 1"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("max_pool 2×2 stride 2"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("3×3×64"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("flatten"));
  // 160 + 4,640 + 18,496 conv, 576·128 + 128 and 128·10 + 10 dense.
  EXPECT_THAT(r.out, ::testing::HasSubstr("total: 98442 parameters"));
  Result j = RunCli("plan " + Example("init-study-conv.yaml") + " -o json --limit 1");
  ASSERT_EQ(j.code, 0) << j.out;
  auto net = nlohmann::json::parse(j.out)["trials"][0]["network"];
  EXPECT_EQ(net["parameters"], 98442);
  EXPECT_EQ(net["layers"][1]["layer"], "conv 16 3×3 stride 1 padding 1");
  EXPECT_EQ(net["layers"][1]["output"], "28×28×16");
  EXPECT_EQ(net["layers"][1]["parameters"], 160);
}

// The benchmark CNN as a `layers:` list: PyTorch's count, 421,642 parameters (more
// with batch norm: γ and β per channel and per dense unit).
TEST(PlanCommand, ALayerListShowsTheBenchmarkNet) {
  Result r = RunCli("plan " + Example("fashion-cnn-net.yaml") + " -o json --limit 12");
  ASSERT_EQ(r.code, 0) << r.out;
  bool plain = false;
  const nlohmann::json plan = nlohmann::json::parse(r.out);
  for (const auto& t : plan["trials"]) {
    const bool bn = t["batch_norm"];
    EXPECT_EQ(t["network"]["parameters"], bn ? 421642 + 2 * (32 + 64 + 128) : 421642);
    plain = plain || !bn;
    EXPECT_EQ(t["network"]["layers"][4]["output"], "7×7×64");
    EXPECT_EQ(t["network"]["layers"][5]["output"], "3136");
  }
  EXPECT_TRUE(plain);
}

TEST(PlanCommand, JsonShape) {
  Result r = RunCli("plan " + Example("optimizers-grid.yaml") + " -o json --limit 3");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["total_trials"], 42);
  ASSERT_EQ(j["trials"].size(), 3u);
  EXPECT_EQ(j["trials"][0]["optimizer"], "sgd");
  EXPECT_EQ(j["trials"][0]["epochs"], 5);  // fixed settings merged in
}

TEST(PlanCommand, TpeShowsItsStartUpTrialsAndThePruningRungs) {
  Result r = RunCli("plan " + Example("fashion-tpe-asha.yaml") + " --limit 50");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, ::testing::HasSubstr("200 trials (tpe)"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("tpe: the first 10 trials are random"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("pruning: asha: rungs at epochs 1, 3; the top 1/3 at each rung go on"));
  // Only the start-up trials are previewed: the rest depend on results.
  EXPECT_THAT(r.out, ::testing::HasSubstr("\n    9  "));
  EXPECT_THAT(r.out, ::testing::Not(::testing::HasSubstr("\n   10  ")));
  EXPECT_THAT(r.out, ::testing::HasSubstr("... 190 more"));
}

// A TPE budget that ends within the random start-up never uses the model: said.
TEST(PlanCommand, TpeWarnsWhenItsBudgetEndsInItsStartUp) {
  const std::string path = ::testing::TempDir() + "/short_tpe.yaml";
  std::ofstream(path) << "dataset: iris\nmethod: tpe\nbudget: {max_trials: 8}\nparameters:\n"
                         "  lr: {min: 0.001, max: 0.1, scale: log}\n";
  Result r = RunCli("plan " + path);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, ::testing::HasSubstr("warning: budget.max_trials (8) <= tpe.startup_trials (10): every trial is "
                                          "a random draw and TPE's model is never used"));
  EXPECT_EQ(nlohmann::json::parse(RunCli("plan " + path + " -o json").out)["warnings"].size(), 1u);
  // One trial past the start-up: the model is used once, no warning.
  std::ofstream(path) << "dataset: iris\nmethod: tpe\nbudget: {max_trials: 11}\nparameters:\n"
                         "  lr: {min: 0.001, max: 0.1, scale: log}\n";
  EXPECT_THAT(RunCli("plan " + path).out, ::testing::Not(::testing::HasSubstr("warning:")));
}

// --limit 0 means every trial, as it does for `trials`.
TEST(PlanCommand, LimitZeroShowsEveryTrial) {
  Result r = RunCli("plan " + Example("optimizers-grid.yaml") + " --limit 0 -o json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["trials"].size(), j["total_trials"].get<size_t>());
  EXPECT_EQ(j["total_trials"], 42);
}

TEST(PlanCommand, InvalidSpecExitsTwoWithTheFieldPath) {
  const std::string path = ::testing::TempDir() + "/bad_spec.yaml";
  std::ofstream(path) << "dataset: iris\nparameters:\n  lr: {min: 0, max: 0.1, scale: log}\n";
  Result r = RunCli("plan " + path);
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, ::testing::HasSubstr("parameters.lr.min: must be > 0 with scale: log"));
  const Result missing = RunCli("plan /nonexistent.yaml");
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(missing.out, "error: /nonexistent.yaml: cannot open file: No such file or directory\n");  // once
  EXPECT_EQ(RunCli("plan").code, 2);                                                                  // usage error
}

TEST(PlanCommand, TrillionPointGridAnswersQuickly) {
  const std::string path = ::testing::TempDir() + "/huge_grid.yaml";
  std::ofstream(path) << "dataset: iris\nmethod: grid\nparameters:\n"
                         "  lr: {min: 1.0e-5, max: 1.0, scale: log, count: 1000}\n"
                         "  l2: {min: 1.0e-6, max: 0.1, scale: log, count: 1000}\n"
                         "  l1: {min: 0.0, max: 0.01, count: 1000}\n"
                         "  dropout: {min: 0.0, max: 0.5, count: 1000}\n";
  Result r = RunCli("plan " + path + " -o json --limit 2");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["total_trials"], 1000000000000);
}

}  // namespace
