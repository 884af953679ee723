#include "worker/trainer/trial_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/util/value_json.h"
#include "common/vocabulary/settings.h"
#include "worker/commands/trial_file.h"

namespace hpsearch::trainer {
namespace {

using ::testing::HasSubstr;

std::string Error(const char* json) {
  auto c = ParseTrialConfig(*ParamsFromJson(nlohmann::json::parse(json)));
  return c.ok() ? "" : std::string(c.status().message());
}

TEST(TrialConfig, Defaults) {
  auto c = ParseTrialConfig(Params{});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->hidden, std::vector<int>{128});
  EXPECT_EQ(c->optimizer.kind, optim::OptimizerKind::kAdam);
  EXPECT_DOUBLE_EQ(c->LearningRate(), 0.001);
  EXPECT_EQ(c->batch_size, 64);
}

TEST(TrialConfig, ErrorsNameTheSetting) {
  EXPECT_THAT(Error(R"({"optimiser": "adam"})"),
              HasSubstr("optimiser: unknown trainer setting 'optimiser' (did you mean 'optimizer'?)"));
  EXPECT_THAT(Error(R"({"optimizer": "adamw"})"), HasSubstr("optimizer: unknown value 'adamw' (did you mean 'adam'?)"));
  EXPECT_THAT(Error(R"({"lr": -1})"), HasSubstr("lr: must be in (0, 1000], got -1"));
  EXPECT_THAT(Error(R"({"lr": "fast"})"), HasSubstr("lr: must be a number"));
  EXPECT_THAT(Error(R"({"hidden": [128, 0]})"), HasSubstr("hidden: must be in [1, 65536], got 0"));
  EXPECT_THAT(Error(R"({"hidden": 128})"), HasSubstr("hidden: must be a list of integers"));
  EXPECT_THAT(Error(R"({"epochs": 2.5})"), HasSubstr("epochs: must be an integer"));
  EXPECT_THAT(Error(R"({"batch_norm": "yes"})"), HasSubstr("batch_norm: must be true or false"));
  EXPECT_THAT(Error(R"({"dropout": 1.0})"), HasSubstr("dropout: must be in [0, 0.95]"));
  EXPECT_THAT(Error(R"({"loss": "hinge", "label_smoothing": 0.1})"), HasSubstr("label_smoothing"));
}

TEST(TrialConfig, SettingsKeepTheirTypes) {
  // `lr: 1` is a number setting: a double; `batch_size: 64.0` an integer one.
  auto t =
      commands::ParseTrialFile(YAML::Load("dataset: iris\nlr: 1\nbatch_size: 64.0\nhidden: [32.0, 16]\n"), "t.yaml");
  ASSERT_TRUE(t.ok()) << t.status();  // `dataset: iris`, the short form specs take too
  EXPECT_EQ(t->dataset.name, "iris");
  auto u = commands::ParseTrialFile(YAML::Load("dataset: {name: iris}\nlr: 1\nbatch_size: 64.0\nhidden: [32.0, 16]\n"),
                                    "t.yaml");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_TRUE(u->params.at("lr").is_double());
  EXPECT_TRUE(u->params.at("batch_size").is_int());
  EXPECT_EQ(u->params.at("hidden"), Value(Value::List{Value(32), Value(16)}));
  EXPECT_EQ(u->config.batch_size, 64);
}

TEST(TrialFile, ParsesDatasetSeedAndSettings) {
  auto t = commands::ParseTrialFile(
      YAML::Load(R"({"dataset": {"name": "iris"}, "seed": 4, "optimizer": "sgd", "lr": 0.1})"), "t.yaml");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->seed, 4u);
  EXPECT_EQ(t->dataset.name, "iris");
  EXPECT_DOUBLE_EQ(t->config.lr.value(), 0.1);
  auto bad = commands::ParseTrialFile(YAML::Load(R"({"seed": 1})"), "t.yaml");
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("t.yaml: dataset: is required"));
}

TEST(TrialConfig, ConvKnobsBuildBlocksOfConvAndPool) {
  auto c = ParseTrialConfig({{"conv_blocks", 3}, {"conv_filters", 16}, {"conv_kernel", 5}, {"conv_growth", 1.5}});
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->features.size(), 6u);
  const int filters[] = {16, 24, 36};
  for (int b = 0; b < 3; ++b) {
    const nn::FeatureLayer& conv = c->features[2 * b];
    EXPECT_EQ(conv.kind, nn::FeatureLayer::Kind::kConv);
    EXPECT_EQ(conv.conv.filters, filters[b]);
    EXPECT_EQ(conv.conv.kernel, 5);
    EXPECT_EQ(conv.conv.padding, 2);  // same
    EXPECT_EQ(c->features[2 * b + 1].kind, nn::FeatureLayer::Kind::kPool);
    EXPECT_EQ(c->features[2 * b + 1].pool.size, 2);
  }
  auto none = ParseTrialConfig({{"conv_filters", 16}});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->features.empty());
}

TEST(TrialConfig, HiddenLayersAndUnitsMakeADenseStack) {
  auto c = ParseTrialConfig({{"hidden_layers", 3}, {"hidden_units", 64}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->hidden, (std::vector<int>{64, 64, 64}));
  auto depth = ParseTrialConfig({{"hidden_layers", 2}});
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(depth->hidden, (std::vector<int>{128, 128}));
  EXPECT_THAT(Error(R"({"hidden": [32], "hidden_units": 64})"), HasSubstr("hidden_units: replaces hidden"));
  EXPECT_THAT(Error(R"({"conv_blocks": 17})"), HasSubstr("conv_blocks: must be in [0, 16], got 17"));
}

// `layers:` as YAML writes it (common/yaml makes each entry its text).
TEST(TrialConfig, ALayerListIsTheWholeNetwork) {
  auto c = ParseTrialConfig({{"layers", Value(Value::List{"conv filters=32 kernel=3 padding=same", "pool max=2",
                                                          "conv filters=64 kernel=5 stride=2 padding=1 bias=false",
                                                          "pool avg=3 stride=1", "dense 128", "dense 64"})}});
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->features.size(), 4u);
  EXPECT_EQ(c->features[0].conv.filters, 32);
  EXPECT_EQ(c->features[0].conv.padding, 1);
  EXPECT_EQ(c->features[1].pool.kind, nn::PoolKind::kMax);
  EXPECT_EQ(c->features[1].pool.step(), 2);
  EXPECT_EQ(c->features[2].conv.kernel, 5);
  EXPECT_EQ(c->features[2].conv.stride, 2);
  EXPECT_FALSE(c->features[2].conv.bias);
  EXPECT_EQ(c->features[3].pool.kind, nn::PoolKind::kAverage);
  EXPECT_EQ(c->features[3].pool.step(), 1);
  EXPECT_EQ(c->hidden, (std::vector<int>{128, 64}));
  EXPECT_EQ(c->conv_setting, "layers");
  EXPECT_THAT(Error(R"({"layers": ["dense 8"], "hidden": [4]})"), HasSubstr("layers: replaces hidden"));
  EXPECT_THAT(Error(R"({"layers": ["dense 8"], "conv_blocks": 1})"), HasSubstr("layers: replaces conv_blocks"));
  EXPECT_THAT(Error(R"({"layers": ["convolution filters=8"]})"), HasSubstr("layers: layers[0]: unknown layer"));
  auto yaml = commands::ParseTrialFile(
      YAML::Load("dataset: digits\nlayers: [{conv: {filters: 8, padding: same}}, {pool: {max: 2}}, {dense: 32}]\n"),
      "t.yaml");
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  EXPECT_EQ(yaml->params.at("layers"), Value(Value::List{"conv filters=8 padding=same", "pool max=2", "dense 32"}));
}

TEST(Vocabulary, EveryNameIsUnique) {
  std::set<std::string> names;
  for (const auto& p : vocabulary::Vocabulary()) EXPECT_TRUE(names.insert(p.name).second) << p.name;
}

}  // namespace
}  // namespace hpsearch::trainer
