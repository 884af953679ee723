// The YAML readers under seeded mutation (item 10): every example spec and trial
// file, mutated thousands of ways — bytes changed, cut, lines duplicated, dropped,
// swapped and re-indented, aliases that refer to themselves, alias bombs, deep
// nesting, huge numbers, control characters, values of the wrong shape — is read in
// process by the spec reader (then validated and previewed as `plan` does) and by
// the trial file reader. Each must answer with a value or an INVALID_ARGUMENT whose
// message is printable and short, quickly; a crash fails the whole binary. A sample,
// and the inputs that crashed before, go through the real `hpsearch plan` and
// `hpsearch-worker train --config`: exit 0 or 2, never a signal. Deterministic: the
// seeds are fixed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "common/util/printable.h"
#include "common/yaml/yaml_value.h"
#include "search/spec_file.h"
#include "search/spec_validator.h"
#include "search/strategy.h"
#include "tests/testing/process.h"
#include "worker/commands/trial_file.h"

namespace hpsearch::testing {
namespace {

using ::testing::HasSubstr;

// splitmix64: the same cases on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::size_t Below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(Next() % n); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t s_;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t eol = text.find('\n', pos);
    const std::size_t end = eol == std::string::npos ? text.size() : eol;
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return text;
}

// `levels` levels of nine aliases each, as one flow list: 9^levels values written out.
std::string AliasBomb(int levels) {
  std::string text = "[&b0 [x, x, x, x, x, x, x, x, x]";
  for (int i = 1; i <= levels; ++i) {
    text += ", &b" + std::to_string(i) + " [";
    for (int j = 0; j < 9; ++j) text += (j ? ", *b" : "*b") + std::to_string(i - 1);
    text += "]";
  }
  return text + "]";
}

std::string Nested(std::size_t depth, bool flow_map) {
  if (flow_map) {
    std::string s;
    for (std::size_t i = 0; i < depth; ++i) s += "{a: ";
    return s + "1" + std::string(depth, '}');
  }
  return std::string(depth, '[') + std::string(depth, ']');
}

// Replaces what follows the first ": " of a random line (or appends to it).
void SetValue(std::vector<std::string>& lines, Rng& rng, const std::string& value) {
  if (lines.empty()) return;
  std::string& line = lines[rng.Below(lines.size())];
  const auto colon = line.find(": ");
  line = colon == std::string::npos ? line + " " + value : line.substr(0, colon + 2) + value;
}

std::string Mutate(const std::string& text, Rng& rng) {
  static const std::vector<std::string> kBytes = {std::string(1, '\0'),
                                                  "\x1b",
                                                  "\n",
                                                  ":",
                                                  "[",
                                                  "{",
                                                  "&",
                                                  "*",
                                                  "-",
                                                  "#",
                                                  "\"",
                                                  "'",
                                                  "!",
                                                  "|",
                                                  ">",
                                                  "?",
                                                  "%",
                                                  "@",
                                                  "`",
                                                  "\xff",
                                                  "\t"};
  static const std::vector<std::string> kNumbers = {"1e999",
                                                    "-1e999",
                                                    "99999999999999999999999",
                                                    "9223372036854775807",
                                                    "-9223372036854775808",
                                                    ".nan",
                                                    ".inf",
                                                    "-.inf",
                                                    "0x7fffffff",
                                                    "1e-400",
                                                    "4294967296",
                                                    "-0",
                                                    "1e308"};
  static const std::vector<std::string> kControls = {"\x1b[2J", std::string(1, '\0'), "\x07", "\r", "\xe2\x80\xae",
                                                     "\xff",    "\xc2\x9b",           "\t"};
  static const std::vector<std::string> kShapes = {
      "{x: 1}",        "[]",         "{}",   "~",          "null",  "''", "[a, [b, {c: d}]]",
      "!!binary aGk=", "*undefined", "&x y", "|\n  block", "- item"};
  static const std::vector<std::size_t> kDepths = {10, 63, 64, 65, 500, 999, 1001, 5000};
  std::string out = text;
  std::vector<std::string> lines = Lines(text);
  // Every draw in its own statement: argument order is unspecified, the cases must not be.
  switch (rng.Below(12)) {
    case 0: {
      if (out.empty()) return out;
      const std::size_t at = rng.Below(out.size());
      const std::string byte = rng.Below(3) ? rng.Pick(kBytes) : std::string(1, static_cast<char>(rng.Next()));
      return out.replace(at, 1, byte);
    }
    case 1:
      return out.substr(0, rng.Below(out.size() + 1));
    case 2: {
      if (lines.empty()) break;
      const std::size_t at = rng.Below(lines.size());
      const std::string copy = rng.Pick(lines);
      lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), copy);
      break;
    }
    case 3:
      if (!lines.empty()) lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(rng.Below(lines.size())));
      break;
    case 4: {
      if (lines.size() < 2) break;
      const std::size_t a = rng.Below(lines.size());
      const std::size_t b = rng.Below(lines.size());
      std::swap(lines[a], lines[b]);
      break;
    }
    case 5:
      SetValue(lines, rng, rng.Pick(std::vector<std::string>{"&r [*r]", "&r {k: *r}", "&r [1, [2, *r]]"}));
      break;
    case 6:
      if (rng.Below(8) == 0) {  // the costly kind, rarely
        SetValue(lines, rng, AliasBomb(2 + static_cast<int>(rng.Below(8))));
        break;
      }
      SetValue(lines, rng, "&s [1, 2]");
      SetValue(lines, rng, "*s");
      break;
    case 7:
      SetValue(lines, rng, Nested(rng.Pick(kDepths), rng.Below(2) == 0));
      break;
    case 8:
      SetValue(lines, rng, rng.Pick(kNumbers));
      break;
    case 9: {
      if (out.empty()) return out;
      const std::size_t at = rng.Below(out.size());
      return out.insert(at, rng.Pick(kControls));
    }
    case 10:
      if (!lines.empty()) {
        std::string& l = lines[rng.Below(lines.size())];
        l = rng.Below(2) ? "  " + l : l.substr(std::min<std::size_t>(l.size(), 1 + rng.Below(2)));
      }
      break;
    default:
      SetValue(lines, rng, rng.Pick(kShapes));
      break;
  }
  return Join(lines);
}

std::string Example(const std::string& name) { return ReadFile(Source("examples/" + name)); }

// An error the reader gave: INVALID_ARGUMENT, printable, short.
void ExpectWellFormed(const absl::Status& st, const std::string& input) {
  if (st.ok()) return;
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st << "\n--- input:\n" << Printable(input);
  const std::string message(st.message());
  EXPECT_EQ(Printable(message), message) << "--- input:\n" << Printable(input);
  EXPECT_LE(message.size(), 2000u) << Printable(message.substr(0, 300));
}

// What `hpsearch plan` does in process: read, validate, preview a few trials.
void PlanInProcess(const std::string& text) {
  auto spec = client::ParseSpecYaml(text);
  ExpectWellFormed(spec.status(), text);
  if (!spec.ok()) return;
  const absl::Status valid = search::ValidateSpec(*spec, search::SpecLimits{1024, 100000, 50'000'000});
  ExpectWellFormed(valid, text);
  if (!valid.ok()) return;
  auto strategy = search::MakeStrategy(*spec);
  if (!strategy.ok()) return;
  for (int i = 0; i < 3 && (*strategy)->Next(); ++i) {
  }
}

constexpr int kCasesPerFile = 500;
const std::vector<std::string> kSpecs = {"quickstart.yaml",       "fashion-mnist.yaml", "fashion-quality.yaml",
                                         "fashion-tpe-asha.yaml", "init-study.yaml",    "optimizers-grid.yaml"};
const std::vector<std::string> kTrialFiles = {"trial.yaml", "fashion-trial.yaml"};

TEST(SpecReaderFuzz, MutatedExampleSpecsAreReadOrRefusedInProcess) {
  std::chrono::duration<double> slowest{0};
  for (std::size_t f = 0; f < kSpecs.size(); ++f) {
    const std::string base = Example(kSpecs[f]);
    ASSERT_FALSE(base.empty()) << kSpecs[f];
    Rng rng(0x5eed0000 + f);
    for (int i = 0; i < kCasesPerFile; ++i) {
      std::string text = base;
      for (std::size_t m = 0, n = 1 + rng.Below(3); m < n; ++m) text = Mutate(text, rng);
      const auto start = std::chrono::steady_clock::now();
      PlanInProcess(text);
      slowest = std::max(slowest, std::chrono::duration<double>(std::chrono::steady_clock::now() - start));
      if (HasFailure()) FAIL() << kSpecs[f] << " case " << i;
    }
  }
  EXPECT_LT(slowest.count(), 2.0);
  std::cout << "slowest case: " << slowest.count() * 1000 << " ms\n";
}

TEST(SpecReaderFuzz, MutatedTrialFilesAreReadOrRefusedInProcess) {
  for (std::size_t f = 0; f < kTrialFiles.size(); ++f) {
    const std::string base = Example(kTrialFiles[f]);
    ASSERT_FALSE(base.empty()) << kTrialFiles[f];
    Rng rng(0x7a1a0000 + f);
    for (int i = 0; i < kCasesPerFile; ++i) {
      std::string text = base;
      for (std::size_t m = 0, n = 1 + rng.Below(3); m < n; ++m) text = Mutate(text, rng);
      auto doc = ParseYaml(text, "trial.yaml");
      ExpectWellFormed(doc.status(), text);
      if (doc.ok()) ExpectWellFormed(commands::ParseTrialFile(*doc, "trial.yaml").status(), text);
      if (HasFailure()) FAIL() << kTrialFiles[f] << " case " << i;
    }
  }
}

// The binaries, each in its own process: exit 0 or 2, never a signal, in bounded time.
class SpecReaderBinaries : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  TempDir dir_{"spec-fuzz"};
};

TEST_F(SpecReaderBinaries, ASampleOfMutatedSpecsThroughHpsearchPlan) {
  int runs = 0;
  for (std::size_t f = 0; f < kSpecs.size(); ++f) {
    const std::string base = Example(kSpecs[f]);
    Rng rng(0x5eed0000 + f);  // the in-process cases' seeds: these are a sample of them
    for (int i = 0; i < kCasesPerFile; ++i) {
      std::string text = base;
      for (std::size_t m = 0, n = 1 + rng.Below(3); m < n; ++m) text = Mutate(text, rng);
      if (i % 50 != 0) continue;
      const std::string path = Write("case.yaml", text);
      const Result r =
          RunProcessFor({"/usr/bin/prlimit", "--as=1073741824", Bin("hpsearch"), "plan", path, "--limit", "3"},
                        std::chrono::seconds(20));
      EXPECT_TRUE(r.code == 0 || r.code == 2) << kSpecs[f] << " case " << i << ": exit " << r.code << "\n"
                                              << r.err << "\n--- input:\n"
                                              << Printable(text);
      ++runs;
    }
  }
  EXPECT_EQ(runs, 60);
}

TEST_F(SpecReaderBinaries, WhatCrashedBeforeIsAnErrorNamingTheLine) {
  const std::string kLimit = "/usr/bin/prlimit", kOneGiB = "--as=1073741824";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"name: x\ndataset: iris\nseed: &a [*a]\n", "spec:3:"},                               // was SIGSEGV (139)
      {"name: x\ndataset: iris\nseed: " + AliasBomb(9) + "\n", "more than 100000 values"},  // was std::bad_alloc (134)
      {"name: x\ndataset: iris\nseed: " + Nested(100'000, false) + "\n", "spec:3:"},
      {"name: x\ndataset: iris\nfixed: {" + Nested(100'000, true) + "}\n", "spec:3:"},
      {"name: x\ndataset: iris\n? [a]\n: b\n", "a mapping key must be a name or a number"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string spec = Write("crash.yaml", text);
    const auto start = std::chrono::steady_clock::now();
    // In 1 GiB of address space, as a small container would give: the alias bomb once
    // grew to 16 GB in two minutes (std::bad_alloc here, after 6 s).
    const Result plan = RunProcessFor({kLimit, kOneGiB, Bin("hpsearch"), "plan", spec}, std::chrono::seconds(20));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(plan.code, 2) << Printable(text.substr(0, 80)) << "\n" << plan.err;
    EXPECT_THAT(plan.err, HasSubstr(expected));
    EXPECT_LT(seconds, 5.0) << Printable(text.substr(0, 80));
    const std::string rest = text.substr(text.find("\n", 8) + 1);  // past "name: x\ndataset: iris\n"
    const std::string trial = Write("crash-trial.yaml", "dataset: iris\nepochs: 1\n" + rest);
    const Result train =
        RunProcessFor({kLimit, kOneGiB, Bin("hpsearch-worker"), "train", "--config", trial}, std::chrono::seconds(20));
    EXPECT_EQ(train.code, 2) << Printable(text.substr(0, 80)) << "\n" << train.err;
    EXPECT_THAT(train.err, HasSubstr("crash-trial.yaml:"));
  }
}

}  // namespace
}  // namespace hpsearch::testing
