// SpecToYaml: what it writes reads back (ParseSpecYaml) to the same spec, for every
// example spec and for the values YAML could misread.
#include "search/spec_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "search/spec_file.h"

namespace hpsearch::search {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Written, read back and written again: the same text (the spec survived).
std::string RoundTrip(const std::string& yaml) {
  auto spec = client::ParseSpecYaml(yaml);
  EXPECT_TRUE(spec.ok()) << spec.status() << "\n" << yaml;
  if (!spec.ok()) return "";
  const std::string written = SpecToYaml(*spec);
  auto again = client::ParseSpecYaml(written);
  EXPECT_TRUE(again.ok()) << again.status() << "\n" << written;
  if (!again.ok()) return written;
  EXPECT_EQ(SpecToYaml(*again), written);
  EXPECT_EQ(again->fixed, spec->fixed) << written;
  EXPECT_EQ(again->labels, spec->labels) << written;
  EXPECT_EQ(again->trainer.command, spec->trainer.command) << written;
  EXPECT_EQ(again->parameters.size(), spec->parameters.size()) << written;
  for (std::size_t i = 0; i < std::min(again->parameters.size(), spec->parameters.size()); ++i) {
    const Parameter &a = again->parameters[i], &b = spec->parameters[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.values, b.values) << a.name;
    EXPECT_EQ(a.range.min, b.range.min) << a.name;
    EXPECT_EQ(a.range.max, b.range.max) << a.name;
    EXPECT_EQ(a.range.integer, b.range.integer) << a.name;
    EXPECT_EQ(a.range.scale, b.range.scale) << a.name;
    EXPECT_EQ(a.range.step, b.range.step) << a.name;
    EXPECT_EQ(a.range.count, b.range.count) << a.name;
    EXPECT_EQ(a.when.size(), b.when.size()) << a.name;
  }
  return written;
}

TEST(SpecWriter, EveryExampleReadsBackTheSame) {
  for (const char* f :
       {"quickstart.yaml", "fashion-mnist.yaml", "fashion-tpe-asha.yaml", "init-study.yaml", "optimizers-grid.yaml",
        "own-code/quadratic.yaml", "own-code/shell.yaml", "own-code/fashion_cnn.yaml", "fashion-cnn.yaml",
        "fashion-cnn-net.yaml", "init-study-conv.yaml"}) {
    SCOPED_TRACE(f);
    RoundTrip(ReadFile(std::string(HPSEARCH_SOURCE_DIR) + "/examples/" + f));
  }
}

TEST(SpecWriter, ValuesKeepTheirTypes) {
  const std::string written = RoundTrip(R"(name: "types"
trainer:
  command: [python3, "t.py", "--x", "{x}", "a b", "yes", "64", ""]
  timeout: 90m
  grace: 2.5s
  slots: 2
  env: {OMP_NUM_THREADS: "1", MODE: fast}
objective: {metric: loss, goal: minimize, target: 0.25}
method: tpe
seed: 1234567890123456789
budget: {max_trials: 30, max_failed: 3, max_duration: 1h30m}
parallelism: {max_concurrent: 4}
tpe: {startup_trials: 5}
pruning: {method: asha, min_epochs: 2}
fixed: {epochs: 10, ratio: 1.0, tag: "64", flag: true, sizes: [256, 128], word: "no"}
parameters:
  x: {min: -5.0, max: 5.0}
  width: {min: 1, max: 8}
  lr: {min: 1.0e-5, max: 0.1, scale: log, count: 7}
  kind: {values: [a, "1", 2, 2.5, true]}
  momentum: {min: 0.5, max: 0.99, step: 0.01, when: {kind: [a]}}
  const: {value: "x y"}
labels: {team: vision, "owner": "o'neil"}
)");
  EXPECT_THAT(written, HasSubstr("ratio: 1.0"));           // a double stays a double
  EXPECT_THAT(written, HasSubstr("tag: \"64\""));          // a string that looks like a number stays one
  EXPECT_THAT(written, HasSubstr("word: \"no\""));         // ... and one that looks like a boolean
  EXPECT_THAT(written, HasSubstr("max_duration: 5400s"));  // durations in seconds
  EXPECT_THAT(written, HasSubstr("seed: 1234567890123456789"));
  EXPECT_THAT(written, HasSubstr("width: {min: 1, max: 8}"));  // a command's integer range stays integral
}

TEST(SpecWriter, AnExternalTrainerReadsBackExternal) {
  const std::string yaml =
      "name: nb\ntrainer: external\nobjective: {metric: loss}\nparameters:\n  x: {min: -10, max: 10}\n";
  const std::string written = RoundTrip(yaml);
  EXPECT_THAT(written, HasSubstr("trainer: external\n"));
  auto again = client::ParseSpecYaml(written);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->trainer.external());
}

TEST(SpecWriter, ABuiltInSpecLeavesDefaultsOut) {
  const std::string written = RoundTrip("name: q\ndataset: {name: iris}\nparameters:\n  lr: {min: 0.001, max: 0.1}\n");
  EXPECT_EQ(written, "name: q\ndataset: {name: iris}\nparameters:\n  lr: {min: 0.001, max: 0.1}\n");
}

}  // namespace
}  // namespace hpsearch::search
