// A new user's own CSV files against the real server and CLI: a regression file is
// recognised at plan and submit (objective val_loss, trials complete), and a broken
// file is refused at submit with the loader's message, naming the path as the user
// wrote it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/testing/e2e_fixture.h"

namespace hpsearch::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CsvDatasets : public E2ETest {
 protected:
  CsvDatasets() : E2ETest("e2e-csv") { std::filesystem::create_directories(data_); }

  void WriteData(const std::string& name, const std::string& text) { std::ofstream(data_ / name) << text; }

  // A spec for `file` in the data directory, written next to it (as users keep them).
  std::string SpecFor(const std::string& file, const std::string& extra = "") {
    const std::string path = (data_ / (file + ".yaml")).string();
    std::ofstream(path) << "name: " << std::filesystem::path(file).stem().string()
                        << "\ndataset: {name: csv, path: " << file << "}\n"
                        << extra << "method: random\nseed: 2\nbudget: {max_trials: 3}\n"
                        << "fixed: {epochs: 4, hidden: [16]}\nparameters:\n  lr: {min: 0.003, max: 0.03, scale: log}\n";
    return path;
  }

  const std::filesystem::path data_ = dir_.path() / "data";
};

// y = 3·x1 − x2² + 0.1: real-valued, so the task is regression.
std::string RegressionCsv() {
  std::ostringstream out;
  out << "x1,x2,y\n";
  for (int i = 0; i < 240; ++i) {
    const double x1 = i / 240.0, x2 = std::sin(i * 0.7);
    out << x1 << "," << x2 << "," << 3 * x1 - x2 * x2 + 0.1 << "\n";
  }
  return out.str();
}

TEST_F(CsvDatasets, ARegressionFileIsKnownAtPlanAndSubmitAndItsTrialsComplete) {
  WriteData("house.csv", RegressionCsv());
  const std::string spec = SpecFor("house.csv");
  // plan finds the file next to the spec and says what it holds.
  const Result plan = RunProcess({Bin("hpsearch"), "plan", spec});
  ASSERT_EQ(plan.code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("objective minimize val_loss"));
  EXPECT_THAT(plan.out, HasSubstr("240 rows, 2 features, regression"));

  ServerProcess server(dir_ / "csv.db", {"--workers", "2", "--data-dir", data_.string()});
  ASSERT_TRUE(server.Start()) << server.log();
  const json sweep = Json(server.Cli({"submit", spec, "-o", "json"}));
  const std::string id = sweep["id"];
  const json end = WaitForEnd(server, id, std::chrono::seconds(120));
  EXPECT_EQ(end["status"], "completed") << end.dump();
  EXPECT_EQ(end["counts"]["completed"], 3) << end.dump();
  EXPECT_EQ(end["objective"]["metric"], "val_loss") << end.dump();
  const json best = Json(server.Cli({"best", id, "-o", "json"}));
  ASSERT_FALSE(best.empty());
  EXPECT_EQ(best[0]["objective"], best[0]["metrics"]["val_loss"]);
  EXPECT_TRUE(best[0]["metrics"].contains("val_r2"));

  // The spec is stored with the task the server inferred: after a restart the sweep
  // still knows its objective.
  server.Kill(SIGKILL);
  server.Wait(std::chrono::seconds(10));
  ASSERT_TRUE(server.Start()) << server.log();
  EXPECT_EQ(Json(server.Cli({"status", id, "-o", "json"}))["objective"]["metric"], "val_loss");

  // A metric a regression does not report is refused at submit, naming why.
  const Result wrong = server.Cli({"submit", SpecFor("house.csv", "objective: {metric: val_accuracy}\n")});
  EXPECT_EQ(wrong.code, 2) << wrong.out;
  EXPECT_THAT(wrong.err, HasSubstr("objective.metric"));
  EXPECT_THAT(wrong.err, HasSubstr("house.csv reads as regression"));
  ExpectSound(dir_ / "csv.db");
}

TEST_F(CsvDatasets, ABrokenFileIsRefusedAtSubmitWithTheLoadersMessage) {
  WriteData("ok.csv", "x1,x2,label\n1,2,a\n2,1,b\n3,3,a\n1,1,b\n");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"missing.csv", "x1,x2,label\n1,2,a\n,1,b\n"},       {"na.csv", "x1,x2,label\n1,2,a\n2,NA,b\n"},
      {"text.csv", "x1,color,label\n1,red,a\n2,blue,b\n"}, {"header.csv", "x1,x2,label\n"},
      {"oneclass.csv", "x1,x2,label\n1,2,a\n2,1,a\n"},     {"semicolon.csv", "x1;x2;label\n1;2;a\n2;1;b\n"},
  };
  const std::map<std::string, std::string> expected = {
      {"missing.csv", "missing.csv:3: column 'x1' (1): not a number: ''"},
      {"na.csv", "na.csv:3: column 'x2' (2): not a number: 'NA' (missing values are not supported"},
      {"text.csv", "text.csv:2: column 'color' (2): not a number: 'red'"},
      {"header.csv", "header.csv: no data rows"},
      {"oneclass.csv", "oneclass.csv: column 'label' has a single class ('a')"},
      {"semicolon.csv", "the header looks ';'-separated"},
  };
  for (const auto& [file, text] : cases) WriteData(file, text);
  ServerProcess server(dir_ / "bad.db", {"--workers", "1", "--data-dir", data_.string()});
  ASSERT_TRUE(server.Start()) << server.log();
  for (const auto& [file, text] : cases) {
    const std::string spec = SpecFor(file);
    const Result submitted = server.Cli({"submit", spec});
    EXPECT_EQ(submitted.code, 2) << file << ": " << submitted.out;
    EXPECT_THAT(submitted.err, HasSubstr(expected.at(file))) << file;
    EXPECT_THAT(submitted.err, Not(HasSubstr(data_.string()))) << file << ": the server's own path leaked";
    // plan, which sees the same file, says the same.
    const Result plan = RunProcess({Bin("hpsearch"), "plan", spec});
    EXPECT_EQ(plan.code, 2) << file;
    EXPECT_THAT(plan.err, HasSubstr(expected.at(file))) << file;
  }
  // A typo'd target column gets a did-you-mean.
  const std::string typo = (data_ / "typo.yaml").string();
  std::ofstream(typo) << "name: typo\ndataset: {name: csv, path: ok.csv, target: lable}\n";
  const Result t = server.Cli({"submit", typo});
  EXPECT_EQ(t.code, 2);
  EXPECT_THAT(t.err, HasSubstr("ok.csv:1: no column named 'lable' (did you mean 'label'?)"));
  // A missing file names where the server looked, not its path.
  const Result gone = server.Cli({"submit", SpecFor("gone.csv")});
  EXPECT_EQ(gone.code, 2);
  EXPECT_THAT(gone.err, HasSubstr("dataset.path: 'gone.csv' does not exist in the server's data directory"));
  // Nothing was created; the good file still goes through.
  EXPECT_EQ(Json(server.Cli({"list", "-o", "json"})).size(), 0u);
  EXPECT_EQ(server.Cli({"submit", SpecFor("ok.csv")}).code, 0);
}

// Without embedded workers the file lives on the workers' machines: the server cannot
// infer the task, so the spec must say it (or name its objective).
TEST_F(CsvDatasets, WithOnlyRemoteWorkersTheTaskMustBeSaid) {
  ServerProcess server(dir_ / "remote.db", {"--workers", "0", "--data-dir", data_.string()});
  ASSERT_TRUE(server.Start()) << server.log();
  const Result open = server.Cli({"submit", SpecFor("far.csv")});
  EXPECT_EQ(open.code, 2) << open.out;
  EXPECT_THAT(open.err, HasSubstr("dataset.task"));
  const std::string told = (data_ / "told.yaml").string();
  std::ofstream(told) << "name: told\ndataset: {name: csv, path: far.csv, task: regression}\n";
  const json sweep = Json(server.Cli({"submit", told, "-o", "json"}));
  EXPECT_EQ(sweep["objective"]["metric"], "val_loss") << sweep.dump();
}

}  // namespace
}  // namespace hpsearch::testing
