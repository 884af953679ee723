#include "worker/trainer/trainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "common/util/value_json.h"
#include "tests/testing/step_threads.h"
#include "worker/data/dataset_loader.h"

namespace hpsearch::trainer {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<const data::Dataset> Load(const std::string& name, int64_t samples = 0) {
  data::DatasetOptions o;
  o.name = name;
  o.samples = samples;
  auto d = data::LoadDataset(o, {});
  EXPECT_TRUE(d.ok()) << d.status();
  return *d;
}

TrialConfig Config(nlohmann::json j) {
  auto params = ParamsFromJson(j);
  EXPECT_TRUE(params.ok()) << params.status();
  auto c = ParseTrialConfig(*params);
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

TEST(Trainer, LearnsXor) {
  auto d = Load("xor", 1000);
  auto r = Train(Config({{"hidden", {16}},
                         {"activation", "tanh"},
                         {"init", "xavier_normal"},
                         {"optimizer", "adam"},
                         {"lr", 0.02},
                         {"epochs", 40},
                         {"batch_size", 32}}),
                 *d, {});
  ASSERT_EQ(r.outcome, TrialOutcome::kCompleted) << r.reason;
  EXPECT_GT(r.metrics["val_accuracy"], 0.9);  // labels near the axes are noisy
}

TEST(Trainer, LearnsSpiral) {
  auto d = Load("spiral", 1500);
  auto r =
      Train(Config({{"hidden", {64, 64}}, {"optimizer", "adam"}, {"lr", 0.01}, {"epochs", 40}, {"batch_size", 32}}), *d,
            {.seed = 3});
  ASSERT_EQ(r.outcome, TrialOutcome::kCompleted) << r.reason;
  EXPECT_GT(r.metrics["val_accuracy"], 0.9);
  EXPECT_EQ(r.epochs.size(), 40u);
  EXPECT_EQ(r.diagnostics.size(), 41u);  // init + each epoch
  EXPECT_EQ(r.diagnostics[0].mean.size(), 2u);
}

TEST(Trainer, EveryOptimizerTrainsIris) {
  auto d = Load("iris");
  for (const char* opt : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"}) {
    nlohmann::json j = {{"hidden", {16}}, {"optimizer", opt}, {"epochs", 60}, {"batch_size", 16}};
    if (std::string(opt) == "sgd" || std::string(opt) == "momentum" || std::string(opt) == "nesterov" ||
        std::string(opt) == "adagrad")
      j["lr"] = 0.05;
    if (std::string(opt) == "rmsprop" || std::string(opt) == "adam") j["lr"] = 0.01;
    auto r = Train(Config(j), *d, {});
    ASSERT_EQ(r.outcome, TrialOutcome::kCompleted) << opt << ": " << r.reason;
    EXPECT_GT(r.metrics["test_accuracy"], 0.8) << opt;
  }
}

TEST(Trainer, RegressionReportsMseAndR2) {
  auto d = Load("regression", 2000);
  auto r = Train(Config({{"hidden", {64}}, {"optimizer", "adam"}, {"lr", 0.01}, {"epochs", 40}}), *d, {});
  ASSERT_EQ(r.outcome, TrialOutcome::kCompleted) << r.reason;
  EXPECT_GT(r.metrics["val_r2"], 0.9);
  EXPECT_NEAR(r.metrics["val_loss"], r.metrics["val_mse"] / 2, 1e-9);  // ½‖·‖² vs mean square
  auto diabetes = Load("diabetes");
  auto r2 = Train(Config({{"hidden", {32}}, {"lr", 0.01}, {"epochs", 30}}), *diabetes, {});
  ASSERT_EQ(r2.outcome, TrialOutcome::kCompleted) << r2.reason;
  EXPECT_TRUE(r2.metrics.count("test_r2"));
  auto wrong = Train(Config({{"loss", "hinge"}}), *diabetes, {});
  EXPECT_EQ(wrong.outcome, TrialOutcome::kFailed);
  EXPECT_THAT(wrong.reason, HasSubstr("loss: hinge needs a classification dataset"));
}

// A target at a real scale (house prices: ~1e5 around 3e5) trains as the same target
// in units does, and its errors are reported in its own units: the MSE is the unit
// target's × 1e10, r² the same. Without standardising, the same settings go wrong.
TEST(Trainer, RegressionAtARealTargetScaleLearnsAndReportsInItsUnits) {
  auto unit = Load("regression", 2000);
  data::Dataset prices = *unit;
  prices.targets = (prices.targets.array() * 1e5f + 3e5f).matrix();
  prices.test_targets = (prices.test_targets.array() * 1e5f + 3e5f).matrix();
  const nlohmann::json settings = {{"hidden", {64}}, {"optimizer", "adam"}, {"lr", 0.01}, {"epochs", 40}};
  auto small = Train(Config(settings), *unit, {});
  auto large = Train(Config(settings), prices, {});
  ASSERT_EQ(large.outcome, TrialOutcome::kCompleted) << large.reason;
  EXPECT_GT(large.metrics["val_r2"], 0.9);
  EXPECT_NEAR(large.metrics["val_r2"], small.metrics["val_r2"], 0.02);
  EXPECT_NEAR(large.metrics["val_mse"] / 1e10, small.metrics["val_mse"], 0.1 * small.metrics["val_mse"] + 1e-3);
  EXPECT_NEAR(large.metrics["val_loss"], large.metrics["val_mse"] / 2, 1e-6 * large.metrics["val_mse"]);
  nlohmann::json raw = settings;
  raw["preprocess_target"] = "none";
  auto as_is = Train(Config(raw), prices, {});
  EXPECT_TRUE(as_is.outcome == TrialOutcome::kFailed || as_is.metrics["val_r2"] < 0.5)
      << "val_r2 " << as_is.metrics["val_r2"];
}

TEST(Trainer, EveryRegularizerAndPreprocessingRuns) {
  auto d = Load("digits");
  const std::vector<nlohmann::json> variants = {{{"l2", 1e-3}},
                                                {{"l1", 1e-4}},
                                                {{"dropout", 0.3}},
                                                {{"batch_norm", true}},
                                                {{"label_smoothing", 0.1}},
                                                {{"input_noise", 0.1}},
                                                {{"augment_shift", 1}},
                                                {{"preprocess", "pca"}, {"pca_components", 20}},
                                                {{"preprocess", "pca_whiten"}},
                                                {{"preprocess", "minmax"}},
                                                {{"preprocess", "center"}},
                                                {{"loss", "hinge"}},
                                                {{"loss", "mse"}},
                                                {{"schedule", "cosine"}, {"lr_min", 1e-4}},
                                                {{"batch_size", 0}, {"lr", 0.01}, {"epochs", 30}},
                                                {{"batch_size", 1}, {"epochs", 2}, {"lr", 0.001}}};
  for (const auto& v : variants) {
    nlohmann::json j = {{"hidden", {64}}, {"epochs", 8}, {"lr", 0.003}};
    j.update(v);
    auto r = Train(Config(j), *d, {});
    ASSERT_EQ(r.outcome, TrialOutcome::kCompleted) << v.dump() << ": " << r.reason;
    EXPECT_GT(r.metrics["test_accuracy"], 0.8) << v.dump() << " " << nlohmann::json(r.metrics).dump();
  }
}

// Trainers in parallel slots share nothing, the BLAS library included: Debian 12's
// serial OpenBLAS corrupts concurrent small SGEMMs (1 in ~50 runs of two trainers
// differed), which is why the trainer links the thread-safe pthread build pinned to
// one thread per call (nn/blas_threads.h). Four concurrent trainers, several rounds,
// small batches (the small-matrix kernels), every result bit-identical to a solo run.
TEST(Trainer, DeterministicWhateverElseRuns) {
  auto d = Load("spiral", 600);
  for (int batch : {8, 32}) {
    TrialConfig c = Config({{"hidden", {32, 16}}, {"dropout", 0.2}, {"epochs", 5}, {"batch_size", batch}});
    const auto solo = Train(c, *d, {.seed = 5});
    for (int round = 0; round < 3; ++round) {
      std::vector<TrainResult> parallel(4);
      std::vector<std::thread> threads;
      for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] { parallel[i] = Train(c, *d, {.seed = static_cast<uint64_t>(i == 3 ? 6 : 5)}); });
      }
      for (auto& t : threads) t.join();
      for (int i = 0; i < 3; ++i)
        EXPECT_EQ(solo.metrics, parallel[i].metrics) << "batch " << batch << " round " << round;
      EXPECT_NE(solo.metrics, parallel[3].metrics);
    }
  }
}

// A trial's steps on more than one thread (a spare core in a sweep's tail) give the
// same bits as on one, also when the threads come and go between steps: the
// products are split only at rows where the kernels keep every bit (nn/gemm_row_unit.h).
TEST(Trainer, StepThreadsChangeNoNumber) {
  auto d = Load("spiral", 600);
  for (int batch : {64, 100}) {
    TrialConfig c = Config({{"hidden", {256, 128}}, {"epochs", 3}, {"batch_size", batch}, {"optimizer", "adam"}});
    const auto serial = Train(c, *d, {.seed = 5});
    int calls = 0;
    TrainOptions o{.seed = 5};
    o.step_threads = [&calls] {
      if (calls++ % 3 == 2) return nn::StepThreads{};  // a second trial took the core back
      return testing::ThreadedSteps();
    };
    const auto threaded = Train(c, *d, o);
    ASSERT_EQ(serial.outcome, TrialOutcome::kCompleted) << serial.reason;
    EXPECT_GT(calls, 3 * 480 / batch);  // asked before every step
    EXPECT_EQ(serial.metrics, threaded.metrics) << "batch " << batch;
    ASSERT_EQ(serial.epochs.size(), threaded.epochs.size());
    for (std::size_t e = 0; e < serial.epochs.size(); ++e)
      EXPECT_EQ(serial.epochs[e].metrics, threaded.epochs[e].metrics);
  }
}

// The same for a CNN: its conv and pooling layers split the images between the
// threads, the activations their rows, and dW sums in the same two halves either way.
// Odd maps split rows away from the middle; tanh and elu take Eigen's vectorised
// exp/tanh, which must see the same packets however split. The second conv reads 8
// channels, so oneDNN computes it where it is built in (nn/dnnl_conv2d.h).
TEST(Trainer, StepThreadsChangeNoNumberForAConvNet) {
  auto d = Load("digits", 600);
  for (const char* activation : {"relu", "tanh", "elu"}) {
    for (int batch : {64, 100}) {
      TrialConfig c = Config({{"layers",
                               {"conv filters=8 kernel=3", "pool max=2 stride=1",
                                "conv filters=6 kernel=3 padding=same", "pool avg=2", "dense 16"}},
                              {"activation", activation},
                              {"spatial_dropout", 0.1},
                              {"epochs", 2},
                              {"batch_size", batch},
                              {"optimizer", "adam"}});
      const auto serial = Train(c, *d, {.seed = 7});
      ASSERT_EQ(serial.outcome, TrialOutcome::kCompleted) << serial.reason;
      TrainOptions o{.seed = 7};
      o.step_threads = [] { return testing::ThreadedSteps(); };
      const auto threaded = Train(c, *d, o);
      EXPECT_EQ(serial.metrics, threaded.metrics) << activation << " batch " << batch;
      ASSERT_EQ(serial.epochs.size(), threaded.epochs.size());
      for (std::size_t e = 0; e < serial.epochs.size(); ++e)
        EXPECT_EQ(serial.epochs[e].metrics, threaded.epochs[e].metrics);
    }
  }
}

TEST(Trainer, DivergenceFailsAtOnceAndKeepsHistory) {
  auto d = Load("blobs", 500);
  auto r = Train(Config({{"init", "large_normal"},
                         {"optimizer", "sgd"},
                         {"lr", 1000},
                         {"hidden", {64, 64}},
                         {"epochs", 5},
                         {"loss", "mse"}}),
                 *d, {});
  ASSERT_EQ(r.outcome, TrialOutcome::kFailed);
  EXPECT_THAT(r.reason, ::testing::MatchesRegex("diverged at epoch [0-9]+, step [0-9]+.*"));
  EXPECT_LT(r.epochs.size(), 5u);
}

TEST(Trainer, EarlyStoppingRestoresBestWeights) {
  auto d = Load("moons", 300);
  auto r =
      Train(Config({{"hidden", {128, 128}}, {"lr", 0.05}, {"epochs", 200}, {"early_stopping", true}, {"patience", 3}}),
            *d, {.monitor = "val_loss"});
  ASSERT_EQ(r.outcome, TrialOutcome::kCompleted);
  EXPECT_LT(r.epochs.size(), 200u);
  EXPECT_EQ(r.epochs.size(), static_cast<std::size_t>(r.best_epoch + 3));
  EXPECT_EQ(r.metrics["val_loss"], r.epochs[r.best_epoch - 1].metrics.at("val_loss"));
  for (const auto& e : r.epochs) EXPECT_GE(e.metrics.at("val_loss"), r.metrics["val_loss"]);
}

TEST(Trainer, CallbackStopsTraining) {
  auto d = Load("xor", 200);
  TrainOptions o;
  o.on_epoch = [](const EpochRecord& e, const LayerStats&) { return e.epoch < 2; };
  auto r = Train(Config({{"epochs", 10}}), *d, o);
  EXPECT_EQ(r.outcome, TrialOutcome::kStopped);
  EXPECT_EQ(r.epochs.size(), 2u);
}

TEST(Trainer, MemoryGuardRefusesHugeNetworks) {
  auto d = Load("iris");
  auto r = Train(Config({{"hidden", {65536, 65536}}}), *d, {});
  EXPECT_EQ(r.outcome, TrialOutcome::kFailed);
  EXPECT_THAT(r.reason, HasSubstr("exceeds the per-trial limit"));
  EXPECT_TRUE(r.epochs.empty());
  auto bytes = EstimateTrialMemory(Config({{"hidden", {65536, 65536}}}), *d);
  EXPECT_GT(*bytes, std::size_t{16} << 30);
}

TEST(Trainer, FashionMnistSmoke) {
  data::DatasetOptions o;
  o.name = "fashion-mnist";
  o.samples = 6000;
  auto d = data::LoadDataset(o, {});
  ASSERT_TRUE(d.ok()) << d.status();
  auto r = Train(
      Config({{"hidden", {128}}, {"epochs", 3}, {"lr", 0.001}, {"batch_size", 64}, {"preprocess", "center"}}), **d, {});
  ASSERT_EQ(r.outcome, TrialOutcome::kCompleted) << r.reason;
  EXPECT_GT(r.metrics["test_accuracy"], 0.75);
  EXPECT_EQ(r.parameter_count, 784 * 128 + 128 + 128 * 10 + 10);
}

// A small CNN on digits (8×8): conv 8 → max pool 2 → conv 16 → max pool 2 → dense
// 32 → 10 learns the task and gives the same numbers for the same seed.
TEST(Trainer, SmallCnnLearnsDigitsDeterministically) {
  auto d = Load("digits");
  TrialConfig c = Config({{"conv_blocks", 2},
                          {"conv_filters", 8},
                          {"conv_kernel", 3},
                          {"hidden", {32}},
                          {"epochs", 8},
                          {"batch_size", 32},
                          {"lr", 0.003}});
  ASSERT_EQ(c.features.size(), 4u);
  const auto r = Train(c, *d, {.seed = 4});
  ASSERT_EQ(r.outcome, TrialOutcome::kCompleted) << r.reason;
  EXPECT_GT(r.metrics.at("test_accuracy"), 0.9);
  // conv 1→8 (3·3·8 + 8), conv 8→16 (8·9·16 + 16), 16·2·2 → 32 → 10.
  EXPECT_EQ(r.parameter_count, 80 + 1168 + 64 * 32 + 32 + 32 * 10 + 10);
  // Activation statistics for the two conv layers and the hidden dense layer.
  ASSERT_EQ(r.diagnostics.size(), 9u);
  EXPECT_EQ(r.diagnostics[0].mean.size(), 3u);
  EXPECT_GT(r.diagnostics[0].std[0], 0.0);
  const auto again = Train(c, *d, {.seed = 4});
  EXPECT_EQ(r.metrics, again.metrics);
  const auto other = Train(c, *d, {.seed = 5});
  EXPECT_NE(r.metrics, other.metrics);
}

// The same net as a `layers:` list trains to the same numbers as with the knobs.
TEST(Trainer, ALayerListTrainsAsTheKnobsDo) {
  auto d = Load("digits");
  const nlohmann::json common = {{"epochs", 2}, {"batch_size", 32}, {"lr", 0.003}};
  nlohmann::json knobs = common, list = common;
  knobs.update({{"conv_blocks", 2}, {"conv_filters", 8}, {"hidden", {32}}});
  list["layers"] = {"conv filters=8 kernel=3 padding=same", "pool max=2", "conv filters=16 kernel=3 padding=same",
                    "pool max=2", "dense 32"};
  const auto a = Train(Config(knobs), *d, {.seed = 4});
  const auto b = Train(Config(list), *d, {.seed = 4});
  ASSERT_EQ(b.outcome, TrialOutcome::kCompleted) << b.reason;
  EXPECT_EQ(a.parameter_count, b.parameter_count);
  EXPECT_EQ(a.metrics, b.metrics);
  auto iris = Load("iris");
  auto flat = Train(Config({{"layers", {"conv filters=4", "dense 8"}}}), *iris, {});
  EXPECT_EQ(flat.outcome, TrialOutcome::kFailed);
  EXPECT_THAT(flat.reason, HasSubstr("layers: conv layers need image data; dataset iris is flat"));
}

TEST(Trainer, ConvLayersNeedAnImageThatHoldsThem) {
  auto iris = Load("iris");
  auto flat = Train(Config({{"conv_blocks", 1}}), *iris, {});
  EXPECT_EQ(flat.outcome, TrialOutcome::kFailed);
  EXPECT_THAT(flat.reason, HasSubstr("conv_blocks: conv layers need image data; dataset iris is flat"));
  auto digits = Load("digits");
  auto deep = Train(Config({{"conv_blocks", 4}}), *digits, {});  // 8 → 4 → 2 → 1 → (2×2 on 1×1)
  EXPECT_EQ(deep.outcome, TrialOutcome::kFailed);
  EXPECT_THAT(deep.reason, HasSubstr("conv_blocks: layers[7] (max_pool 2×2 stride 2)"));
  EXPECT_THAT(deep.reason, HasSubstr("below 1×1"));
  auto pca = Train(Config({{"conv_blocks", 1}, {"preprocess", "pca"}}), *digits, {});
  EXPECT_EQ(pca.outcome, TrialOutcome::kFailed);
  EXPECT_THAT(pca.reason, HasSubstr("preprocess: pca flattens the image"));
}

}  // namespace
}  // namespace hpsearch::trainer
