// What a command trial's program is given (runtime/command_launch.h): its argv with
// the placeholders filled, its environment, and a fresh directory of its attempt's own.
#include "worker/runtime/command_launch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace hpsearch::runtime {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CommandLaunch : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("command_launch_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "code");
    env_.dir = (root_ / "code").string();
    env_.state_dir = (root_ / "state").string();  // the sweep's directory is not there yet
    env_.python_dir = "/opt/hpsearch/python";
    lease_.key = LeaseKey{"s-000007", 12, 3, "lease"};
    lease_.params = {{"lr", 0.001}, {"width", 64}, {"act", std::string("relu")}};
    lease_.seed = 42;
    lease_.command = CommandSpec{{"train.sh", "--lr", "{lr}", "--out={trial_dir}/m.bin", "{act}-{width}"},
                                 {{"OMP_NUM_THREADS", "1"}}};
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
  CommandEnvironment env_;
  Lease lease_;
};

TEST_F(CommandLaunch, FillsThePlaceholdersAndTheEnvironment) {
  ::setenv("HPSEARCH_TOKEN", "secret", 1);
  ::setenv("PYTHONPATH", "/mine", 1);
  auto spec = Launch(lease_, env_);
  ::unsetenv("HPSEARCH_TOKEN");
  ::unsetenv("PYTHONPATH");
  ASSERT_TRUE(spec.ok()) << spec.status();
  const std::string dir = (root_ / "state" / "s-000007" / "12" / "3").string();
  EXPECT_EQ(AttemptDir(env_, lease_.key), dir);
  EXPECT_EQ(spec->cwd, env_.dir);
  // Not in the commands directory: left to the launcher's PATH lookup.
  EXPECT_THAT(spec->argv, ElementsAre("train.sh", "--lr", "0.001", "--out=" + dir + "/m.bin", "relu-64"));
  EXPECT_EQ(spec->env.count("HPSEARCH_TOKEN"), 0u);  // the server's secret never reaches a program
  EXPECT_EQ(spec->env.at("OMP_NUM_THREADS"), "1");
  EXPECT_EQ(spec->env.at("HPSEARCH_TRIAL_DIR"), dir);
  EXPECT_EQ(spec->env.at("HPSEARCH_SWEEP"), "s-000007");
  EXPECT_EQ(spec->env.at("HPSEARCH_TRIAL"), "12");
  EXPECT_EQ(spec->env.at("HPSEARCH_ATTEMPT"), "3");
  EXPECT_EQ(spec->env.at("HPSEARCH_SEED"), "42");
  EXPECT_EQ(spec->env.at("PYTHONPATH"), "/opt/hpsearch/python:/mine");  // the report module first
  const auto params = nlohmann::json::parse(spec->env.at("HPSEARCH_PARAMS"));
  EXPECT_EQ(params, nlohmann::json::parse(R"({"act": "relu", "lr": 0.001, "width": 64})"));
}

TEST_F(CommandLaunch, AProgramOfTheCommandsDirectoryIsRunFromThere) {
  const fs::path script = root_ / "code" / "train.sh";
  std::ofstream(script) << "#!/bin/sh\n";
  fs::permissions(script, fs::perms::owner_all);
  auto spec = Launch(lease_, env_);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->argv.at(0), script.string());
}

TEST_F(CommandLaunch, AScriptOfTheCommandsDirectoryWithoutTheExecuteBitIsStillItsOwn) {
  // Not looked up in PATH: it is the program, and the trial fails with "Permission
  // denied", not "No such file or directory".
  const fs::path script = root_ / "code" / "train.sh";
  std::ofstream(script) << "#!/bin/sh\n";
  fs::permissions(script, fs::perms::owner_read | fs::perms::owner_write);
  auto spec = Launch(lease_, env_);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->argv.at(0), script.string());
}

// At submission: can the runner find the program?
TEST_F(CommandLaunch, CheckProgramFindsItAsTheRunnerWillOrSaysWhatIsThere) {
  std::ofstream(root_ / "code" / "train.sh") << "#!/bin/sh\n";
  std::ofstream(root_ / "code" / "data.py") << "print(1)\n";
  fs::permissions(root_ / "code" / "train.sh", fs::perms::owner_all);
  fs::create_directories(root_ / "bin");
  std::ofstream(root_ / "bin" / "mytool") << "#!/bin/sh\n";
  fs::permissions(root_ / "bin" / "mytool", fs::perms::owner_all);
  std::ofstream(root_ / "bin" / "notes") << "not a program\n";  // on PATH, not executable
  const auto check = [&](std::vector<std::string> argv, std::map<std::string, std::string> env = {}) {
    return CheckProgram(CommandSpec{std::move(argv), std::move(env)}, env_);
  };
  EXPECT_TRUE(check({"train.sh", "--lr", "{lr}"}).ok());  // the commands directory's
  EXPECT_TRUE(check({"./train.sh"}).ok());
  EXPECT_TRUE(check({"sh", "train.sh"}).ok());  // on this process's PATH
  EXPECT_TRUE(check({"/bin/sh"}).ok());
  EXPECT_TRUE(check({"mytool"}, {{"PATH", (root_ / "bin").string()}}).ok());  // on the spec's PATH
  EXPECT_TRUE(check({"{program}"}).ok());                                     // known per trial only
  const absl::Status typo = check({"trian.sh"});
  EXPECT_EQ(typo.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(typo.message(),
            "trainer.command[0]: 'trian.sh' is neither in this server's --commands directory nor on PATH (did you "
            "mean 'train.sh'?)");
  EXPECT_THAT(check({"mytool"}).message(), HasSubstr("'mytool' is neither"));
  // What the launcher would refuse is refused now: a file of the directory that is
  // not executable, and one on PATH (which execvp passes over).
  EXPECT_THAT(check({"data.py"}).message(),
              HasSubstr("'data.py' is not executable: chmod +x it, or name its interpreter: [python3, data.py, ...]"));
  EXPECT_THAT(check({"notes"}, {{"PATH", (root_ / "bin").string()}}).message(), HasSubstr("'notes' is neither"));
  EXPECT_THAT(check({"sub/x.sh"}).message(), HasSubstr("trainer.command[0]: 'sub/x.sh' is not a file"));
  EXPECT_THAT(check({"/no/such/program"}).message(), HasSubstr("'/no/such/program' is not a file"));
}

TEST_F(CommandLaunch, MakesTheAttemptsDirectoryEmpty) {
  ASSERT_TRUE(Launch(lease_, env_).ok());  // the sweep's and the trial's directories too
  const fs::path dir = AttemptDir(env_, lease_.key);
  ASSERT_TRUE(fs::is_directory(dir));
  EXPECT_TRUE(fs::is_empty(dir));
  // An attempt directory already there (a database started afresh beside an old state
  // directory numbers its sweeps from 1 again) is emptied, nested files and all.
  fs::create_directories(dir / "old");
  std::ofstream(dir / "old" / "checkpoint") << "stale";
  std::ofstream(dir / "stdout.log") << "stale";
  ASSERT_TRUE(Launch(lease_, env_).ok());
  EXPECT_TRUE(fs::is_directory(dir));
  EXPECT_TRUE(fs::is_empty(dir));
  // The next attempt of the trial gets a directory of its own beside it.
  lease_.key.attempt = 4;
  ASSERT_TRUE(Launch(lease_, env_).ok());
  EXPECT_TRUE(fs::is_directory(dir.parent_path() / "4"));
  EXPECT_TRUE(fs::is_directory(dir));
}

TEST_F(CommandLaunch, ADirectoryThatCannotBeMadeIsAFailedPreconditionNamingIt) {
  std::ofstream(root_ / "state") << "a file where the state directory should be";
  auto spec = Launch(lease_, env_);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(spec.status().message(), HasSubstr("cannot make the trial directory " + AttemptDir(env_, lease_.key)));
}

}  // namespace
}  // namespace hpsearch::runtime
