// Sweep names and labels (search/sweep_names.h): what a terminal would interpret,
// what hides itself and what passes for an id is refused, naming the character.
#include "search/sweep_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "search/spec_validator.h"
#include "tests/testing/status_matchers.h"

namespace hpsearch::search {
namespace {

using namespace std::string_literals;
using ::hpsearch::testing::StatusIs;
using ::testing::HasSubstr;

absl::Status Name(const std::string& name) {
  Spec spec;
  spec.name = name;
  spec.dataset.name = "iris";
  return ValidateSpec(spec, {});
}

absl::Status Label(const std::string& key, const std::string& value) {
  Spec spec;
  spec.dataset.name = "iris";
  spec.labels[key] = value;
  return ValidateSpec(spec, {});
}

TEST(SweepNames, EveryNameInTheExamplesAndTestsStaysValid) {
  for (const char* name : {"", "quickstart", "fashion-mlp", "init study (tanh)", "x'; DROP TABLE sweeps; --",
                           "lr_sweep.v2", "s-", "s-12a", "sweep-000001", "café", "日本語の実験", "Ωmega-3", "ру́сский",
                           "a/b:c=d@e#f+g,h[i]{j}|k~l`m$n%o^p&q*r!s?t<u>v\\w\"x"}) {
    EXPECT_TRUE(Name(name).ok()) << name << ": " << Name(name);
  }
  EXPECT_TRUE(Name(std::string(200, 'x')).ok());
  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "é";  // 200 characters, 400 bytes
  EXPECT_TRUE(Name(accents).ok());
}

TEST(SweepNames, ControlCharactersAreRefusedByPosition) {
  for (const auto& [name, what] : std::vector<std::pair<std::string, std::string>>{
           {"a\x1b[31mred", "character 2 (U+001B, a control character)"},
           {"bell\a", "character 5 (U+0007, a control character)"},
           {"cr\rlf", "(U+000D, a control character)"},
           {"line\nbreak", "(U+000A, a control character)"},
           {"nul\0cut"s, "(U+0000, a control character)"},
           {"del\x7f", "(U+007F, a control character)"},
           {"c1\xc2\x9b", "(U+009B, a control character)"},
           {"tab\there", "(U+0009, a control character)"},
       }) {
    EXPECT_THAT(Name(name), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(what))) << name;
    EXPECT_THAT(std::string(Name(name).message()), ::testing::StartsWith("name: character ")) << name;
  }
}

TEST(SweepNames, InvisibleAndLookAlikeCharactersAreRefused) {
  for (const auto& [name, what] : std::vector<std::pair<std::string, std::string>>{
           {"evil\xe2\x80\xae"
            "txt.exe",
            "(U+202E, an invisible or formatting character)"},
           {"zero\xe2\x80\x8bwidth", "(U+200B, an invisible"},
           {"bom\xef\xbb\xbf", "(U+FEFF, an invisible"},
           {"nb\xc2\xa0space", "(U+00A0, an invisible"},
           {"ｓ-０００００１", "character 1 (U+FF53 'ｓ') is not allowed"},  // fullwidth
           {"s-00000\xef\xbc\x91", "(U+FF11 '１') is not allowed"},
           {"s\xe2\x80\x90"
            "000001",
            "(U+2010 '‐') is not allowed"},                         // a hyphen look-alike
           {"s-\xd9\xa1\xd9\xa2", "(U+0661 '١') is not allowed"},   // Arabic-Indic digits
           {"\xf0\x9d\x90\xac-1", "(U+1D42C '𝐬') is not allowed"},  // mathematical bold s
           {"bad\xff"
            "utf8",
            "name: is not UTF-8 (byte 4)"},
           {"rocket \xf0\x9f\x9a\x80", "(U+1F680 '🚀') is not allowed"},  // a symbol, not a letter
       }) {
    EXPECT_THAT(Name(name), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(what))) << name;
  }
}

TEST(SweepNames, IdsAndTheirLookAlikesAndOuterSpacesAreRefused) {
  for (const std::string name : {"s-000001", "s-1", "S-000001", "\xd1\x95-000001" /* Cyrillic ѕ */,
                                 "\xea\x9c\xb1-000001" /* small capital ꜱ */}) {
    EXPECT_THAT(Name(name), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("looks like a sweep id"))) << name;
  }
  for (const std::string name : {"s-000001 ", " s-000001", " padded", "padded "}) {
    EXPECT_THAT(Name(name),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name: must not start or end with a space")))
        << name;
  }
  EXPECT_THAT(Name(std::string(201, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name: must be at most 200 characters")));
}

TEST(SweepLabels, ValuesHoldNoControlOrInvisibleCharacters) {
  EXPECT_TRUE(Label("team", "vision").ok());
  EXPECT_TRUE(Label("owner", "Zoë Ångström 🚀 (ml-platform)").ok());
  EXPECT_THAT(Label("team", "vi\x1bsion"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("labels.team: character 3 (U+001B")));
  EXPECT_THAT(Label("team",
                    "a\xe2\x80\xae"
                    "b"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("U+202E")));
  EXPECT_THAT(Label("team", "vision "),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("labels.team: must not start or end")));
  EXPECT_THAT(Label("team", std::string(257, 'v')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 256 characters")));
  // A bad label name is shown printable, whatever it holds.
  EXPECT_THAT(Label("bad\x1bkey", "v"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("labels.bad\\x1bkey: a label name is 1-63 of")));
}

TEST(SweepNames, NoValidationRowsNoValidationObjective) {
  Spec spec;
  spec.dataset.name = "iris";
  spec.dataset.validation = 0;
  EXPECT_THAT(ValidateSpec(spec, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("dataset.validation: 0 holds out no rows, so the objective val_accuracy is never "
                                 "reported; hold some out or use objective.metric: train_accuracy")));
  spec.objective.metric = "train_accuracy";
  EXPECT_TRUE(ValidateSpec(spec, {}).ok());
}

}  // namespace
}  // namespace hpsearch::search
