// Invalid specs: every error names the field path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "search/spec_file.h"
#include "search/spec_validator.h"

namespace hpsearch::search {
namespace {

struct Bad {
  const char* yaml;
  const char* message;
};

std::string Error(const std::string& yaml, SpecLimits limits = {}) {
  auto spec = client::ParseSpecYaml(yaml);
  if (!spec.ok()) return std::string(spec.status().message());
  auto st = ValidateSpec(*spec, limits);
  return st.ok() ? "" : std::string(st.message());
}

class InvalidSpec : public ::testing::TestWithParam<Bad> {};

TEST_P(InvalidSpec, NamesTheField) {
  EXPECT_THAT(Error(GetParam().yaml), ::testing::HasSubstr(GetParam().message)) << GetParam().yaml;
}

const std::string kBase = "dataset: iris\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, InvalidSpec,
    ::testing::Values(
        Bad{"dataset: iris\nparamters: {}\n", "paramters: unknown key (did you mean 'parameters'?)"},
        Bad{"dataset: iris\nparameters:\n  lr: {mni: 0.1, max: 1}\n",
            "parameters.lr.mni: unknown key (did you mean 'min'?)"},
        Bad{"dataset: iris\nparameters:\n  learning_rate: {values: [0.1]}\n",
            "parameters.learning_rate: unknown trainer setting (did you mean 'lr'? learning_rate is called lr here)"},
        // Settings that would do nothing (issue 30 item 3): refused, saying where they apply.
        Bad{"dataset: iris\nfixed: {optimizer: sgd, momentum: 0.9, beta1: 0.5, rho: 0.3}\n",
            "fixed.rho: does nothing with optimizer sgd: it applies only to optimizer rmsprop or adadelta"},
        Bad{"dataset: iris\nfixed: {optimizer: sgd, beta1: 0.5}\n",
            "fixed.beta1: does nothing with optimizer sgd: it applies only to optimizer adam"},
        Bad{"dataset: iris\nfixed: {momentum: 0.5}\n",
            "fixed.momentum: does nothing with optimizer adam: it applies only to optimizer sgd, momentum or nesterov"},
        Bad{"dataset: iris\nparameters:\n  optimizer: {values: [sgd, adam]}\n  momentum: {min: 0.5, max: 0.9}\n",
            "parameters.momentum: applies only where optimizer is sgd, momentum or nesterov; add `when: {optimizer: "
            "[sgd]}`"},
        Bad{"dataset: iris\nparameters:\n  optimizer: {values: [sgd, adam]}\n  momentum: {min: 0.5, max: 0.9, when: "
            "{optimizer: [adam]}}\n",
            "parameters.momentum: applies only where optimizer is sgd"},
        Bad{"dataset: iris\nfixed: {optimizer: sgd, nesterov: true}\n", "fixed.nesterov: needs momentum > 0 with sgd"},
        Bad{"dataset: iris\nfixed: {schedule: exponential, decay_epochs: 5}\n",
            "fixed.decay_epochs: does nothing with schedule exponential: it applies only to schedule step"},
        Bad{"dataset: iris\nfixed: {patience: 3}\n",
            "fixed.patience: does nothing with early_stopping false: it applies only to early_stopping true"},
        Bad{"dataset: iris\nfixed: {activation: tanh, leaky_slope: 0.1}\n", "fixed.leaky_slope: does nothing"},
        // Other tools' names: settings (Optuna/PyTorch/Keras), range keys (Optuna, W&B).
        Bad{"dataset: iris\nparameters:\n  weight_decay: {values: [0.1]}\n", "(did you mean 'l2'?"},
        Bad{"dataset: iris\nfixed: {num_epochs: 5}\n",
            "fixed.num_epochs: unknown trainer setting 'num_epochs' (did you mean 'epochs'?"},
        Bad{"dataset: iris\nparameters:\n  lr: {low: 0.001, high: 0.1}\n", "parameters.lr.low: is `min` here"},
        // Optuna's and W&B's names for the spec's own fields.
        Bad{"dataset: iris\nn_trials: 10\n",
            "n_trials: is `budget.max_trials` here (Optuna's n_trials): `budget: {max_trials: 100}` (line 2)"},
        Bad{"dataset: iris\ntimeout: 600\n", "timeout: is `budget.max_duration` here (Optuna's timeout)"},
        Bad{"dataset: iris\ndirection: maximize\n", "direction: is `objective.goal` here (Optuna's direction)"},
        Bad{"dataset: iris\ndirections: [minimize, maximize]\n", "directions: is a list of objectives here"},
        Bad{"dataset: iris\nsampler: tpe\n", "sampler: is `method` here (Optuna's sampler): grid, random, tpe"},
        Bad{"dataset: iris\npruner: asha\n", "pruner: is `pruning` here (Optuna's pruner): `pruning: {method: asha}`"},
        Bad{"dataset: iris\nstudy_name: s\n", "study_name: is `name` here"},
        Bad{"dataset: iris\nmetric: {name: val_loss, goal: minimize}\n", "metric: is `objective` here (W&B's metric)"},
        Bad{"dataset: iris\nobjective: {metric: val_loss, direction: minimize}\n",
            "objective.direction: is `goal` here (Optuna's direction): minimize or maximize (line 2)"},
        Bad{"dataset: iris\nobjective: [{metric: val_loss}, {name: val_accuracy, goal: maximize}]\n",
            "objective[1].name: is `metric` here (W&B's metric.name)"},
        Bad{"dataset: iris\nparameters:\n  lr: {min: 0.001, high: 0.1}\n", "parameters.lr.high: is `max` here"},
        Bad{"dataset: iris\nparameters:\n  lr: {min: 0.001, max: 0.1, log: true}\n",
            "parameters.lr.log: write `scale: log`"},
        Bad{"dataset: iris\nparameters:\n  activation: {choices: [relu, tanh]}\n",
            "parameters.activation.choices: is `values` here"},
        Bad{"dataset: iris\nparameters:\n  lr: {distribution: log_uniform_values, min: 0.001, max: 0.1}\n",
            "parameters.lr.distribution: ranges are written by their bounds here: `{min: 1e-4, max: 1e-1, scale: "
            "log}`"},
        Bad{"dataset: iris\nparameters:\n  optimiser: {values: [adam]}\n", "(did you mean 'optimizer'?)"},
        Bad{"dataset: iris\nparameters:\n  optimizer: {values: [adam, adamw]}\n",
            "parameters.optimizer.values[1]: unknown value 'adamw'"},
        Bad{"dataset: iris\nparameters:\n  lr: {min: 0.5, max: 0.1}\n", "parameters.lr.min: must be <= max"},
        Bad{"dataset: iris\nparameters:\n  batch_size: {values: []}\n",
            "parameters.batch_size.values: must not be empty"},
        Bad{"dataset: iris\nmethod: grid\nparameters:\n  lr: {min: 0.001, max: 0.1}\n",
            "parameters.lr: a grid needs `count`"},
        Bad{"dataset: iris\nparameters:\n  momentum: {min: 0.5, max: 0.9, when: {optimzer: [momentum]}}\n",
            "parameters.momentum.when.optimzer: unknown parameter"},
        Bad{"dataset: iris\nparameters:\n  lr: {min: 0.001, max: 0.1}\n  momentum: {min: 0.5, max: 0.9, when: {lr: "
            "[0.01]}}\n",
            "parameters.momentum.when.lr: the parent must be a categorical parameter"},
        Bad{"dataset: iris\nparameters:\n  optimizer: {values: [sgd, adam]}\n  momentum: {min: 0.5, max: 0.9, when: "
            "{optimizer: [nesterov]}}\n",
            "parameters.momentum.when.optimizer: \"nesterov\" is not one of optimizer's values"},
        Bad{"dataset: iris\nparameters:\n  optimizer: {values: [sgd, adam], when: {activation: [relu]}}\n  activation: "
            "{values: [relu, tanh], when: {optimizer: [sgd]}}\n",
            "conditions form a cycle"},
        Bad{"dataset: iris\nparameters:\n  lr: {min: .nan, max: 0.1}\n", "parameters.lr.min: must be a finite number"},
        Bad{"dataset: iris\nparameters:\n  lr: {min: 0.001, max: .inf}\n",
            "parameters.lr.max: must be a finite number"},
        Bad{"dataset: iris\nbudget: {max_trials: -3}\n", "budget.max_trials: must be at least 1"},
        // 0 is not "the default": it is refused, not read as unset.
        Bad{"dataset: iris\nbudget: {max_trials: 0}\n",
            "budget.max_trials: must be at least 1 (leave it out for the default: the whole grid, or 20 random "
            "trials) (line 2)"},
        Bad{"dataset: iris\nbudget: {max_failed: -1}\n", "budget.max_failed: must be >= 0"},
        Bad{"dataset: iris\nbudget: {max_duration: 1e300}\n", "budget.max_duration: must be at most 100 years"},
        Bad{"name: s-000001\ndataset: iris\n", "name: 's-000001' looks like a sweep id"},
        Bad{"dataset: iris\nparallelism: {max_concurrent: 5000}\n", "parallelism.max_concurrent: must be <= 1024"},
        Bad{"dataset: iris\nobjective: {metric: val_accuracy, goal: 0.9}\n",
            "objective.goal: must be minimize or maximize, not a number (did you mean `target`?)"},
        Bad{"dataset: iris\nfixed: {conv_blocks: 2}\n",
            "fixed.conv_blocks: conv layers need image data; dataset iris is flat"},
        Bad{"dataset: fashion-mnist\nfixed: {spatial_dropout: 0.2}\n",
            "fixed.spatial_dropout: drops whole channels of conv layers, and no network of this spec has one"},
        Bad{"dataset: digits\nparameters:\n  conv_blocks: {values: [0]}\n  spatial_dropout: {min: 0.1, max: 0.3}\n",
            "parameters.spatial_dropout.max: drops whole channels of conv layers"},
        Bad{"dataset: {name: csv, path: t.csv}\nparameters:\n  conv_blocks: {values: [0, 1]}\n",
            "parameters.conv_blocks.values[1]: conv layers need image data; dataset csv is flat"},
        Bad{"dataset: digits\nparameters:\n  conv_blocks: {min: 1, max: 4, type: int}\n",
            "parameters.conv_blocks.max: 4 blocks on digits's 8×8×1 images: layers[7] (max_pool 2×2 stride 2): a "
            "2×2 window does not fit a 1×1×256 input: the feature map would shrink below 1×1"},
        Bad{"dataset: fashion-mnist\nfixed: {conv_blocks: 5}\n", "fixed.conv_blocks: 5 blocks on fashion-mnist"},
        Bad{"dataset: iris\nfixed: {layers: [{conv: {filters: 8}}, {dense: 16}]}\n",
            "fixed.layers: conv layers need image data; dataset iris is flat"},
        Bad{"dataset: digits\nfixed: {layers: [{dense: 16}, {conv: {filters: 8}}]}\n",
            "layers[1]: a conv layer after a dense one: the network flattens before its first dense layer"},
        Bad{"dataset: digits\nfixed: {layers: [{conv: {filters: 8, kernal: 3}}]}\n",
            "layers[0]: unknown conv setting 'kernal'"},
        Bad{"dataset: digits\nfixed: {layers: [{conv: {kernel: 3}}]}\n", "layers[0]: conv needs filters"},
        Bad{"dataset: digits\nfixed: {layers: [{pool: {min: 2}}]}\n", "layers[0]: unknown pool setting 'min'"},
        Bad{"dataset: digits\nfixed: {layers: [{dense: 0}]}\n",
            "layers[0]: dense units must be an integer in [1, 65536]"},
        Bad{"dataset: digits\nfixed: {layers: [{conv: {filters: 8, padding: some}}]}\n",
            "layers[0]: conv padding (same, valid or zeros on each side) must be an integer"},
        Bad{"dataset: digits\nparameters:\n  layers: {values: [[{dense: 8}], [{conv: {filters: 4, kernel: 5}}, {conv: "
            "{filters: 4, kernel: 5}}]]}\n",
            "parameters.layers.values[1]: on digits's 8×8×1 images: layers[1] (conv 4 5×5 stride 1 padding 0): a 5×5 "
            "kernel does not fit a 4×4×4 input: the feature map would shrink below 1×1"},
        Bad{"dataset: digits\nfixed: {layers: [{conv: {filters: 4}, pool: {max: 2}}]}\n",
            "a mapping in a list must be one name with a value or a mapping of values"},
        Bad{"dataset: fashion-mnist\nparameters:\n  hidden: {values: [[128], [20000, 20000]]}\n",
            "parameters.hidden.values[1]: a network of"},
        Bad{"dataset: iris\nparameters:\n  lr: {min: 0.0, max: 0.1, scale: log}\n",
            "parameters.lr.min: must be > 0 with scale: log"},
        Bad{"dataset: iris\nparameters:\n  l2: {min: 0.0, max: 0.1, step: 0}\n", "parameters.l2.step: must be > 0"},
        Bad{"dataset: iris\nmethod: grid\nparameters:\n  l2: {min: 0.0, max: 0.1, count: 0}\n",
            "parameters.l2.count: must be >= 1"},
        Bad{"dataset: iris\nparameters:\n  lr: {values: [0.1], min: 0.1, max: 0.2}\n",
            "parameters.lr: needs exactly one of"},
        Bad{"dataset: iris\nparameters:\n  lr: {scale: log}\n", "parameters.lr: needs exactly one of"},
        Bad{"dataset: iris\nparameters:\n  epochs: {min: 1.5, max: 10, type: int}\n",
            "parameters.epochs: type: int needs integer min and max"},
        Bad{"dataset: iris\nparameters:\n  epochs: {min: 1, max: 10}\n",
            "parameters.epochs: is an integer setting: add `type: int`"},
        Bad{"dataset: iris\nparameters:\n  lr: {min: -0.1, max: 0.1}\n", "parameters.lr.min: must be in (0, 1000]"},
        Bad{"dataset: iris\nfixed: {lr: 0.1}\nparameters:\n  lr: {values: [0.1, 0.2]}\n",
            "parameters.lr: is also set in `fixed`"},
        Bad{"dataset: iris\nfixed: {epoch: 5}\n",
            "fixed.epoch: unknown trainer setting 'epoch' (did you mean 'epochs'?)"},
        Bad{"dataset: {name: fashion_mnist}\n",
            "dataset.name: unknown dataset 'fashion_mnist' (did you mean 'fashion-mnist'?)"},
        Bad{"parameters: {}\n", "dataset.name: is required"},
        Bad{"dataset: iris\nobjective: {metric: val_acc}\n", "objective.metric: unknown metric 'val_acc'"},
        Bad{"dataset: iris\nobjective: {metric: test_accuracy}\n",
            "objective.metric: test metrics must not drive the search"},
        Bad{"dataset: iris\nmethod: bayes\n", "method: must be grid, random, tpe or nsga2"},
        Bad{"dataset: iris\nmethod: tp\n", "method: must be grid, random, tpe or nsga2 (did you mean 'tpe'?)"},
        Bad{"dataset: iris\ntpe: {startup_trials: 3}\n", "tpe: applies only to method: tpe"},
        Bad{"dataset: iris\nmethod: tpe\ntpe: {candidate: 3}\n",
            "tpe.candidate: unknown key (did you mean 'candidates'?)"},
        Bad{"dataset: iris\nmethod: tpe\ntpe: {candidates: 0}\n", "tpe.candidates: must be >= 1"},
        Bad{"dataset: iris\nmethod: tpe\ntpe: {startup_trials: -1}\n", "tpe.startup_trials: must be >= 0"},
        Bad{"dataset: iris\nmethod: tpe\ntpe: {multivariate: yes please}\n", "tpe.multivariate: must be true or false"},
        Bad{"dataset: iris\npruning: asha\n", "pruning: must be a mapping, e.g. {method: asha}"},
        Bad{"dataset: iris\npruning: {min_epochs: 2}\n", "pruning.method: is required: median, asha or hyperband"},
        Bad{"dataset: iris\npruning: {method: asha2}\n", "pruning.method: must be median, asha, hyperband or none"},
        Bad{"dataset: iris\npruning: {method: hyperbnd}\n", "(did you mean 'hyperband'?)"},
        Bad{"dataset: iris\npruning: {method: asha, warmup_epochs: 2}\n",
            "pruning.warmup_epochs: does not apply to method asha"},
        Bad{"dataset: iris\npruning: {method: median, reduction_factor: 2}\n",
            "pruning.reduction_factor: does not apply to method median"},
        Bad{"dataset: iris\npruning: {method: asha, reduction_factr: 2}\n",
            "pruning.reduction_factr: unknown key (did you mean 'reduction_factor'?)"},
        Bad{"dataset: iris\npruning: {method: asha, reduction_factor: 1}\n", "pruning.reduction_factor: must be >= 2"},
        Bad{"dataset: iris\npruning: {method: asha, min_epochs: 0}\n", "pruning.min_epochs: must be >= 1"},
        Bad{"dataset: iris\nfixed: {epochs: 5}\npruning: {method: hyperband, min_epochs: 5}\n",
            "pruning.min_epochs: a first rung at epoch 5 needs trials of at least 15 epochs (min_epochs × "
            "reduction_factor); these train 5"},
        Bad{"dataset: iris\npruning: {method: median, interval: 0}\n", "pruning.interval: must be >= 1"},
        Bad{"dataset: iris\npruning: {method: median, warmup_epochs: -1}\n", "pruning.warmup_epochs: must be >= 0"},
        Bad{"dataset: iris\nbudget: {max_duration: 2 hours}\n", "budget.max_duration: bad duration"},
        Bad{"dataset: iris\nseed: -1\n", "seed: must be >= 0"},
        Bad{"dataset: iris\nparameters:\n  lr: {min: 0.001, max: 0.1, type: double}\n",
            "parameters.lr.type: must be int or float"},
        Bad{"dataset: iris\nparameters:\n  lr: {min: 0.001, max: 0.1, scale: ln}\n",
            "parameters.lr.scale: must be linear or log"},
        Bad{"dataset: iris\nparameters:\n  optimizer: {values: [adam], scale: log}\n",
            "parameters.optimizer.scale: only applies to a min/max range"},
        Bad{"dataset: iris\nparameters:\n  hidden: {min: 1, max: 5, type: int}\n",
            "parameters.hidden: is a list of integers, give it `values`"},
        Bad{"dataset: iris\nparameters:\n  batch_size: {values: [32, 32]}\n",
            "parameters.batch_size.values[1]: duplicate value 32 (as values[0])"},
        // A free parameter's numbers by their value: 1 and 1.0 are one configuration.
        Bad{"trainer: external\nobjective: {metric: loss}\nparameters:\n  c: {values: [1, 2, 1.0]}\n",
            "parameters.c.values[2]: duplicate value 1.0 (values[0] is 1, the same number)"},
        Bad{"dataset: {name: iris, validaton: 0.2}\n", "dataset.validaton: unknown key (did you mean 'validation'?)"},
        Bad{"dataset: {name: csv}\n", "dataset.path: is required for csv"},
        Bad{"- just\n- a list\n", "spec: must be a mapping"},
        Bad{"dataset: iris\nparameters: {lr: {min: 0.1, max: [1]}}\n", "parameters.lr.max: must be a number"},
        Bad{"dataset: iris\nparameters:\n  dropout: {values: [0.1, 1.5]}\n",
            "parameters.dropout.values[1]: must be in [0, 0.95], got 1.5"}));

TEST(SpecValidation, ParseErrorsCarryTheLine) {
  EXPECT_THAT(Error("dataset: iris\nparameters:\n  lr: {mni: 0.1, max: 1}\n"), ::testing::HasSubstr("(line 3)"));
  EXPECT_THAT(Error("dataset: [unclosed\n"), ::testing::HasSubstr("spec:"));
}

TEST(SpecValidation, ServerLimits) {
  SpecLimits limits;
  limits.max_trials = 100;
  EXPECT_THAT(Error("dataset: iris\nbudget: {max_trials: 500}\n", limits),
              ::testing::HasSubstr("budget.max_trials: must be <= 100"));
  EXPECT_THAT(Error("dataset: iris\nmethod: grid\nparameters:\n  lr: {min: 0.001, max: 0.1, count: 1000}\n", limits),
              ::testing::HasSubstr("budget.max_trials: the grid has 1000 points"));
  limits.max_concurrent = 2;
  EXPECT_THAT(Error("dataset: iris\nparallelism: {max_concurrent: 3}\n", limits),
              ::testing::HasSubstr("parallelism.max_concurrent: must be <= 2"));
  // A layer list counts its conv layers: the benchmark CNN has 421,642 parameters.
  const std::string cnn =
      "dataset: fashion-mnist\nfixed:\n  layers: [{conv: {filters: 32, kernel: 3, padding: same}}, {pool: {max: 2}}, "
      "{conv: {filters: 64, kernel: 3, padding: same}}, {pool: {max: 2}}, {dense: 128}]\n";
  limits.max_network_params = 421'641;
  EXPECT_THAT(Error(cnn, limits),
              ::testing::HasSubstr("fixed.layers: a network of 421642 parameters exceeds the limit of 421641"));
  limits.max_network_params = 421'642;
  EXPECT_EQ(Error(cnn, limits), "");
  // So do the knobs, at their largest: one block of 64 filters flattens 14×14×64
  // into the dense layer (1·9·64 + 64 + 12544·128 + 128 + 1290 = 1,607,690).
  limits.max_network_params = 1'000'000;
  EXPECT_THAT(Error("dataset: fashion-mnist\nparameters:\n  conv_blocks: {values: [1, 2]}\n  conv_filters: {values: "
                    "[16, 64]}\n",
                    limits),
              ::testing::HasSubstr("parameters.conv_blocks: a network of 1607690 parameters (conv_blocks 1, the other "
                                   "knobs at their largest) exceeds the limit of 1000000"));
  EXPECT_THAT(Error("dataset: iris\nparameters:\n  hidden_layers: {min: 1, max: 64, type: int}\n  hidden_units: "
                    "{values: [64, 65536]}\n",
                    limits),
              ::testing::HasSubstr("a network of"));
}

// What a grid must be able to hold lazily: points that are distinct numbers, and a
// bounded number of blocks (one per assignment of the `when` parents).
TEST(SpecValidation, GridAxesAndConditionBlocksAreBounded) {
  EXPECT_THAT(Error("dataset: iris\nmethod: grid\nparameters:\n  l2: {min: 1.0, max: 1.000001, count: 1000000}\n"),
              ::testing::HasSubstr("parameters.l2.count: its points are less than 12 significant digits apart"));
  EXPECT_THAT(Error("dataset: iris\nparameters:\n  l2: {min: 100.0, max: 100.00001, step: 1.0e-12}\n"),
              ::testing::HasSubstr("parameters.l2.step: "));
  EXPECT_EQ(Error("dataset: iris\nmethod: grid\nparameters:\n  l2: {min: 0, max: 0.5, step: 5.0e-8}\n"), "");
  // Six parents of ten values each: 10^6 assignments.
  std::string yaml = "dataset: iris\nparameters:\n";
  yaml +=
      "  batch_size: {values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\n"
      "  epochs: {values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\n"
      "  patience: {values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\n"
      "  decay_epochs: {values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\n"
      "  pca_components: {values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\n"
      "  dropout: {values: [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]}\n"
      "  lr: {min: 0.001, max: 0.1, when: {batch_size: [1], epochs: [1], patience: [1], decay_epochs: [1],"
      " pca_components: [1], dropout: [0.0]}}\n";
  EXPECT_THAT(Error(yaml),
              ::testing::HasSubstr("parameters: the `when` parents' values combine in more than 100000 ways"));
}

TEST(SpecValidation, ValidSpecsPass) {
  EXPECT_EQ(Error("dataset: iris\n"), "");
  EXPECT_EQ(Error("dataset: {name: diabetes}\nobjective: {metric: val_r2}\n"), "");
  EXPECT_EQ(Error("dataset: iris\nbudget: {max_duration: 1h30m}\n"), "");
  // Scoped settings where they apply: sgd's momentum and Nesterov, a searched one
  // with its `when`, one whose parent is searched only over values it applies to.
  EXPECT_EQ(Error("dataset: iris\nfixed: {optimizer: sgd, momentum: 0.9, nesterov: true}\n"), "");
  EXPECT_EQ(Error("dataset: iris\nparameters:\n  optimizer: {values: [sgd, adam]}\n"
                  "  momentum: {min: 0.5, max: 0.9, when: {optimizer: [sgd]}}\n"),
            "");
  EXPECT_EQ(
      Error("dataset: iris\nparameters:\n  optimizer: {values: [rmsprop, adadelta]}\n  rho: {min: 0.8, max: 0.99}\n"),
      "");
  EXPECT_EQ(Error("dataset: fashion-mnist\nparameters:\n  conv_blocks: {min: 1, max: 4, type: int}\n  conv_filters: "
                  "{values: [16, 32]}\n  conv_kernel: {values: [3, 5]}\n  hidden_units: {values: [64, 128]}\n"),
            "");
  EXPECT_EQ(Error("dataset: digits\nfixed: {conv_blocks: 3}\n"), "");
  EXPECT_EQ(Error("dataset: digits\nfixed: {conv_blocks: 1, spatial_dropout: 0.2, dropout: 0.3}\n"), "");
  EXPECT_EQ(Error("dataset: digits\nparameters:\n  layers: {values: [[{dense: 16}], [{conv: {filters: 4}}, {dense: "
                  "8}]]}\n  spatial_dropout: {min: 0.1, max: 0.3}\n"),
            "");
  EXPECT_EQ(Error("dataset: fashion-mnist\nfixed:\n  layers: [{conv: {filters: 32, kernel: 3, padding: same}}, {pool: "
                  "{max: 2}},\n           {conv: {filters: 64, kernel: 3, stride: 2, padding: 1, bias: false}}, "
                  "{pool: {avg: 2, stride: 1}}, {dense: 128}]\n"),
            "");
  EXPECT_EQ(Error("dataset: iris\nfixed: {layers: [{dense: 16}, {dense: 8}]}\n"), "");
  EXPECT_EQ(Error("dataset: iris\nfixed: {conv_blocks: 0}\n"), "");
}

TEST(Duration, Parses) {
  EXPECT_EQ(*client::ParseDuration("2h"), 7200);
  EXPECT_EQ(*client::ParseDuration("1h30m"), 5400);
  EXPECT_EQ(*client::ParseDuration("90s"), 90);
  EXPECT_EQ(*client::ParseDuration("45"), 45);
  EXPECT_FALSE(client::ParseDuration("2x").ok());
  EXPECT_FALSE(client::ParseDuration("h").ok());
}

}  // namespace
}  // namespace hpsearch::search
