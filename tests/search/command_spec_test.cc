// Specs with trainer.command: free names, typing by how ranges are written,
// placeholders checked, what the built-in trainer's checks would refuse allowed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "search/spec_file.h"
#include "search/spec_validator.h"

namespace hpsearch::search {
namespace {

using ::testing::HasSubstr;

std::string Error(const std::string& yaml) {
  auto spec = client::ParseSpecYaml(yaml);
  if (!spec.ok()) return std::string(spec.status().message());
  auto st = ValidateSpec(*spec, {});
  return st.ok() ? "" : std::string(st.message());
}

const std::string kHead = "trainer: {command: [python3, train.py, --lr, \"{lr}\"]}\nobjective: {metric: val_loss}\n";

TEST(CommandSpec, AnyNamesAndValuesAndTypesFromTheRange) {
  auto spec = client::ParseSpecYaml(kHead + R"(fixed: {epochs: 20, data_path: /data/x.csv, layers: [64, 64]}
parameters:
  lr: {min: 1.0e-5, max: 1.0e-1, scale: log}
  width: {min: 16, max: 512}
  depth: {min: 1, max: 8, type: float}
  num_leaves: {values: [31, 63]}
  booster: {values: [gbtree, dart]}
  momentum: {min: 0.5, max: 0.99, when: {booster: dart}}
)");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_FALSE(spec->trainer.builtin());
  EXPECT_EQ(spec->trainer.command.argv.size(), 4u);
  EXPECT_EQ(ValidateSpec(*spec, {}), absl::OkStatus());
  const auto range = [&](const std::string& name) {
    for (const auto& p : spec->parameters) {
      if (p.name == name) return p.range;
    }
    return Range{};
  };
  EXPECT_TRUE(range("width").integer);  // 16 and 512 are integers
  EXPECT_FALSE(range("lr").integer);
  EXPECT_FALSE(range("depth").integer);  // type: float says otherwise
  EXPECT_EQ(MaxEpochs(*spec), 20);
}

TEST(CommandSpec, RefusesNamingTheField) {
  EXPECT_THAT(Error(kHead + "parameters:\n  lr2: {min: 0.1, max: 1.0}\n"),
              HasSubstr("trainer.command[3]: {lr} is not a parameter or fixed setting of this spec"));
  // Nothing close: the names it may use. Another tool's name for one it defines: that one.
  EXPECT_THAT(Error(kHead + "fixed: {epochs: 3}\nparameters:\n  width: {values: [8, 16]}\n"),
              HasSubstr("{lr} is not a parameter or fixed setting of this spec (it defines width, epochs; the "
                        "runner fills {sweep}, {trial}, {attempt}, {seed}, {trial_dir})"));
  EXPECT_THAT(Error("trainer: {command: [x, \"{learning_rate}\"]}\nobjective: {metric: l}\nparameters:\n"
                    "  lr: {min: 0.1, max: 1.0}\n"),
              HasSubstr("{learning_rate} is not a parameter or fixed setting of this spec (did you mean 'lr'?)"));
  EXPECT_THAT(Error(kHead + "parameters:\n  lr: {min: 0.1, max: 1.0}\n  2x: {values: [1]}\n"),
              HasSubstr("parameters.2x: a name is letters, digits and _"));
  EXPECT_THAT(Error(kHead + "fixed: {\"a-b\": 1}\nparameters:\n  lr: {min: 0.1, max: 1.0}\n"),
              HasSubstr("fixed.a-b: a name is letters, digits and _, not starting with a digit (at most 64) "
                        "(did you mean 'a_b'?)"));
  EXPECT_THAT(Error(kHead + "parameters:\n  lr: {min: 0.1, max: 1.0}\n  learning rate: {values: [1]}\n"),
              HasSubstr("parameters.learning rate: a name is letters, digits and _, not starting with a digit "
                        "(at most 64) (did you mean 'learning_rate'?)"));
  EXPECT_THAT(Error(kHead + "dataset: iris\nparameters:\n  lr: {min: 0.1, max: 1.0}\n"),
              HasSubstr("dataset: the program loads its own data"));
  EXPECT_THAT(Error("trainer: {command: [x, \"{lr\"]}\nobjective: {metric: l}\n"),
              HasSubstr("trainer.command[1]: '{' is never closed"));
  EXPECT_THAT(Error("trainer: {command: [x], env: {HPSEARCH_TOKEN: t}}\nobjective: {metric: l}\n"),
              HasSubstr("trainer.env.HPSEARCH_TOKEN: HPSEARCH_ variables are set by the runner"));
  EXPECT_THAT(Error("trainer: {command: [x], slots: 0}\nobjective: {metric: l}\n"),
              HasSubstr("trainer.slots: must be in 1..64"));
  EXPECT_THAT(Error("trainer: {command: [x], timeout: forever}\nobjective: {metric: l}\n"),
              HasSubstr("trainer.timeout: bad duration"));
  EXPECT_THAT(Error("trainer: {command: [x], shell: true}\nobjective: {metric: l}\n"),
              HasSubstr("trainer.shell: unknown key"));
  EXPECT_THAT(Error("trainer: {command: []}\nobjective: {metric: l}\n"),
              HasSubstr("trainer.command: must be a non-empty list"));
  EXPECT_THAT(Error("trainer: {command: [x]}\nobjective: {metric: \"val loss\"}\n"),
              HasSubstr("objective.metric: 'val loss' is not 1-64 characters"));
  // Placeholders the runner fills, and literal braces.
  EXPECT_EQ(Error("trainer: {command: [x, \"{trial_dir}/{sweep}-{trial}-{attempt}-{seed}\", \"{{}}\"]}\n"
                  "objective: {metric: l}\n"),
            "");
}

// `trainer: external` (ask and tell): the names and typing of a command, no command.
TEST(CommandSpec, AnExternalTrainerTakesFreeNamesAndNeedsItsMetric) {
  const std::string head = "trainer: external\nobjective: {metric: loss}\n";
  auto spec = client::ParseSpecYaml(head + "parameters:\n  x: {min: -10, max: 10}\n  kind: {values: [a, b]}\n");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_TRUE(spec->trainer.external());
  EXPECT_FALSE(spec->trainer.runs_command());
  EXPECT_EQ(ValidateSpec(*spec, {}), absl::OkStatus());
  EXPECT_TRUE(spec->parameters[0].range.integer);
  EXPECT_THAT(Error("trainer: external\nparameters:\n  x: {min: 0, max: 1}\n"),
              HasSubstr("objective.metric: is required with trainer: external"));
  EXPECT_THAT(Error(head + "dataset: iris\nparameters:\n  x: {min: 0, max: 1}\n"),
              HasSubstr("dataset: the program loads its own data with trainer: external"));
  EXPECT_THAT(Error(head + "pruning: {method: asha}\nparameters:\n  x: {min: 0, max: 1}\n"),
              HasSubstr("pruning: needs the trials' epochs with trainer: external"));
  EXPECT_THAT(Error("trainer: outside\nobjective: {metric: l}\n"),
              HasSubstr("trainer: must be `builtin`, `external` (ask and tell) or a mapping"));
}

TEST(CommandSpec, TheBuiltinTrainerStillChecksItsVocabulary) {
  EXPECT_THAT(Error("dataset: iris\nparameters:\n  num_leaves: {values: [31]}\n"),
              HasSubstr("parameters.num_leaves: unknown trainer setting"));
  EXPECT_THAT(Error("dataset: iris\ntrainer: builtin\nparameters:\n  epochs: {min: 1, max: 5}\n"),
              HasSubstr("parameters.epochs: is an integer setting: add `type: int`"));
}

}  // namespace
}  // namespace hpsearch::search
