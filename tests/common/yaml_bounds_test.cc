// The YAML reader under hostile input: aliases that refer to themselves, alias bombs,
// nesting yaml-cpp would recurse into, keys that are not names. Each is an error
// naming the line, in bounded time; none is a crash.
#include "common/yaml/yaml_value.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/testing/status_matchers.h"
#include "worker/commands/trial_file.h"

namespace hpsearch {
namespace {

using ::hpsearch::testing::StatusIs;
using ::testing::HasSubstr;

// Nine levels of nine aliases: 9^9 (387 million) values when written out.
std::string AliasBomb() {
  std::string text = "seed: [&a0 [x, x, x, x, x, x, x, x, x]";
  for (int i = 1; i <= 9; ++i) {
    text += ", &a" + std::to_string(i) + " [";
    for (int j = 0; j < 9; ++j) text += (j ? ", *a" : "*a") + std::to_string(i - 1);
    text += "]";
  }
  return text + "]\n";
}

TEST(YamlBounds, AnAliasInsideItsOwnAnchorIsACycleNamedByLine) {
  for (const char* text :
       {"name: x\nseed: &a [*a]\n", "name: x\nfixed: &a {hidden: *a}\n", "name: x\nseed: &a [1, [2, *a]]\n"}) {
    auto node = ParseYaml(text, "spec.yaml");
    EXPECT_THAT(node, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spec.yaml:2:"))) << text;
    EXPECT_THAT(std::string(node.status().message()),
                HasSubstr("an alias refers to a node that contains it (a cycle)"));
  }
  // The same node twice, side by side, is no cycle.
  EXPECT_TRUE(ParseYaml("a: &a [1, 2]\nb: [*a, *a]\n", "ok.yaml").ok());
}

TEST(YamlBounds, AnAliasBombStopsAtTheNodeLimitQuickly) {
  const auto start = std::chrono::steady_clock::now();
  auto node = ParseYaml(AliasBomb(), "bomb.yaml");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(node, StatusIs(absl::StatusCode::kInvalidArgument,
                             HasSubstr("more than 100000 values with every alias written out")));
  EXPECT_THAT(std::string(node.status().message()), ::testing::StartsWith("bomb.yaml:"));
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST(YamlBounds, DeepNestingIsAnErrorNotAStackOverflow) {
  // Past yaml-cpp's own guard (about 1,000 levels): its parser refuses the text.
  const std::string deep = "a: " + std::string(100'000, '[') + std::string(100'000, ']') + "\n";
  EXPECT_THAT(ParseYaml(deep, "deep.yaml"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deep.yaml:1:")));
  // Below it, ours: 65 levels.
  const std::string nested = "a: " + std::string(65, '[') + std::string(65, ']') + "\n";
  EXPECT_THAT(ParseYaml(nested, "n.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested deeper than 64 levels")));
  const std::string fits = "a: " + std::string(63, '[') + std::string(63, ']') + "\n";
  EXPECT_TRUE(ParseYaml(fits, "n.yaml").ok());
}

TEST(YamlBounds, KeysMustBeScalars) {
  for (const char* text : {"? [a, b]\n: 1\n", "{[a]: 1}\n", "~: 1\n", "? {a: 1}\n: 2\n"}) {
    EXPECT_THAT(ParseYaml(text, "k.yaml"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a mapping key must be a name or a number")))
        << text;
  }
}

TEST(YamlBounds, YamlToValueItselfStopsOnACycle) {
  // A node that never went through ParseYaml's check.
  const YAML::Node cyclic = YAML::Load("&a [1, *a]");
  EXPECT_THAT(YamlToValue(cyclic),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested deeper than 64 levels")));
}

TEST(YamlBounds, TrialFilesAreReadWithTheSameBounds) {
  const std::string path = ::testing::TempDir() + "/cyclic_trial.yaml";
  for (const std::string& text : {std::string("dataset: iris\nseed: &a [*a]\n"), "dataset: iris\n" + AliasBomb()}) {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
    auto t = commands::LoadTrialFile(path);
    EXPECT_THAT(t, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(path + ":"))) << text;
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace hpsearch
