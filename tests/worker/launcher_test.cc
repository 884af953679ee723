// A slot's launcher (hpsearch-trial-exec, kept between trials) and the program
// processes it starts: real processes, their pipes, their process groups, and what
// happens when the runner or the launcher itself is killed.
#include "worker/runtime/launcher.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/process_gone.h"
#include "worker/runtime/child_process.h"

namespace hpsearch::runtime {
namespace {

namespace fs = std::filesystem;
using ::hpsearch::testing::AllGone;
using ::testing::HasSubstr;

const std::string kLauncher = std::string(HPSEARCH_BIN_DIR) + "/hpsearch-trial-exec";

SpawnSpec Shell(const std::string& script, const std::string& cwd = "/tmp") {
  return SpawnSpec{{"/bin/sh", "-c", script}, cwd, {{"PATH", "/usr/bin:/bin"}}};
}

// Everything readable on `fd` until its end (the program's pipes close when it ends).
std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) break;
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EAGAIN) {
      break;
    }
  }
  return out;
}

// How the program ended, once it has (Finish() right away would kill it).
Ending EndOf(ChildProcess& child) {
  for (int i = 0; i < 1000 && !child.Exited(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return child.Finish();
}

// The first line the program writes to `fd`.
std::string FirstLine(int fd) {
  std::string line;
  char c;
  while (line.find('\n') == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) break;
    const ssize_t n = read(fd, &c, 1);
    if (n == 1) line.push_back(c);
    if (n == 0) break;
  }
  return line;
}

std::vector<pid_t> Pids(const std::string& text) {
  std::vector<pid_t> pids;
  std::istringstream in(text);
  for (pid_t p; in >> p;) pids.push_back(p);
  return pids;
}

// The children /proc lists for process `pid` (those of its main thread).
std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::string line;
  std::getline(in, line);
  return Pids(line);
}

// Waits up to 3 s for `pid` to have no child left (every program it started reaped);
// what is left then.
std::vector<pid_t> ChildrenLeft(pid_t pid) {
  std::vector<pid_t> left = ChildrenOf(pid);
  for (int i = 0; i < 300 && !left.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    left = ChildrenOf(pid);
  }
  return left;
}

TEST(Launcher, StartsAProgramWithItsPipesDirectoryAndEnvironment) {
  Launcher launcher(kLauncher);
  const fs::path dir = fs::temp_directory_path() / ("launcher-" + std::to_string(getpid()));
  fs::create_directories(dir);
  SpawnSpec spec = Shell(
      "echo \"out $PWD $GREETING\"; echo err >&2; echo 'hpsearch: epoch=1 loss=2' >&3; read answer <&4; "
      "echo \"answer $answer\"; read nothing; echo \"stdin $?\"; exit 3",
      dir.string());
  spec.env["GREETING"] = "hello there";
  auto child = ChildProcess::Spawn(spec, launcher);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(getpgid(child->pid()), child->pid()) << "the program leads a process group of its own";
  EXPECT_EQ(FirstLine(child->report_fd()), "hpsearch: epoch=1 loss=2\n");
  ASSERT_EQ(write(child->reply_fd(), "continue\n", 9), 9);
  EXPECT_EQ(ReadAll(child->stdout_fd()), "out " + dir.string() + " hello there\nanswer continue\nstdin 1\n");
  EXPECT_EQ(ReadAll(child->stderr_fd()), "err\n");
  const Ending e = EndOf(*child);
  EXPECT_FALSE(e.signaled);
  EXPECT_EQ(e.code, 3);
  EXPECT_EQ(e.Describe(), "exited with code 3");
  fs::remove_all(dir);
}

TEST(Launcher, AProgramGetsFdsZeroToFourAndNothingElse) {
  // A descriptor of the runner's without close-on-exec, open when the launcher starts.
  const int null_fd = open("/dev/null", O_RDONLY);
  const int stray = fcntl(null_fd, F_DUPFD, 10);
  close(null_fd);
  ASSERT_GE(stray, 10);
  Launcher launcher(kLauncher);
  auto child = ChildProcess::Spawn(Shell("ls /proc/$$/fd"), launcher);
  close(stray);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(ReadAll(child->stdout_fd()), "0\n1\n2\n3\n4\n");  // no pipeline: its own pipe would show
  EXPECT_EQ(EndOf(*child).code, 0);
}

TEST(Launcher, SaysWhichSignalEndedAProgram) {
  Launcher launcher(kLauncher);
  auto child = ChildProcess::Spawn(Shell("kill -TERM $$; sleep 5"), launcher);
  ASSERT_TRUE(child.ok()) << child.status();
  const Ending e = EndOf(*child);
  EXPECT_TRUE(e.signaled);
  EXPECT_EQ(e.signal, SIGTERM);
  EXPECT_EQ(e.Describe(), "killed by SIGTERM");
}

TEST(Launcher, AProgramThatCannotRunIsRefusedByName) {
  Launcher launcher(kLauncher);
  SpawnSpec spec{{"no-such-program-here"}, "/tmp", {{"PATH", "/usr/bin:/bin"}}};
  auto child = ChildProcess::Spawn(spec, launcher);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(child.status().message(), HasSubstr("cannot run 'no-such-program-here': No such file or directory"));
  // The launcher is still there for the next one.
  auto next = ChildProcess::Spawn(Shell("exit 0"), launcher);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(EndOf(*next).code, 0);
}

TEST(Launcher, AScriptWithoutTheExecuteBitIsRefusedWithHowToRunIt) {
  const fs::path dir = fs::path(::testing::TempDir()) / "launcher_noexec";
  fs::create_directories(dir);
  std::ofstream(dir / "train.py") << "print('hi')\n";
  fs::permissions(dir / "train.py", fs::perms::owner_read | fs::perms::owner_write);
  Launcher launcher(kLauncher);
  auto child = ChildProcess::Spawn(SpawnSpec{{(dir / "train.py").string()}, dir.string(), {}}, launcher);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.status().code(), absl::StatusCode::kInvalidArgument);  // the program's fault: not retried
  EXPECT_THAT(child.status().message(), HasSubstr("Permission denied"));
  EXPECT_THAT(child.status().message(), HasSubstr("chmod +x it, or name its interpreter: command: [python3, train.py"));
  fs::remove_all(dir);
}

TEST(Launcher, FindsProgramsOnTheProgramsPathAndRunsScriptsWithoutAHashBangUnderSh) {
  const fs::path dir = fs::temp_directory_path() / ("launcher-path-" + std::to_string(getpid()));
  fs::create_directories(dir);
  {
    std::ofstream script(dir / "plain-script");
    script << "echo \"plain $1\"\n";  // no #! line: exec says ENOEXEC, sh runs it
  }
  fs::permissions(dir / "plain-script", fs::perms::owner_all);
  fs::create_directories(dir / "plain-script-dir" / "plain-script");  // a directory is skipped, as execvp does
  Launcher launcher(kLauncher);
  SpawnSpec spec{{"plain-script", "argument"},
                 "/tmp",
                 {{"PATH", dir.string() + "/plain-script-dir:" + dir.string() + ":/usr/bin:/bin"}}};
  auto child = ChildProcess::Spawn(spec, launcher);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(ReadAll(child->stdout_fd()), "plain argument\n");
  EXPECT_EQ(EndOf(*child).code, 0);
  // A relative PATH entry is taken from the program's directory, not the runner's.
  SpawnSpec relative{
      {"plain-script", "again"}, dir.parent_path().string(), {{"PATH", dir.filename().string() + ":/usr/bin:/bin"}}};
  auto second = ChildProcess::Spawn(relative, launcher);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(ReadAll(second->stdout_fd()), "plain again\n");
  EXPECT_EQ(EndOf(*second).code, 0);
  fs::remove_all(dir);
}

TEST(Launcher, OneLauncherServesManyProgramsAndReapsEach) {
  Launcher launcher(kLauncher);
  pid_t first_launcher = -1;
  for (int i = 0; i < 40; ++i) {
    auto child = ChildProcess::Spawn(Shell("exit " + std::to_string(i % 7)), launcher);
    ASSERT_TRUE(child.ok()) << child.status();
    if (i == 0) first_launcher = launcher.pid();
    EXPECT_EQ(EndOf(*child).code, i % 7);
  }
  EXPECT_EQ(launcher.pid(), first_launcher) << "the same launcher process throughout";
  // None of its programs is left as a zombie child of it (the last release is on its way).
  EXPECT_EQ(ChildrenLeft(first_launcher), std::vector<pid_t>{});
}

TEST(Launcher, FinishKillsWhatTheProgramLeftInItsGroup) {
  Launcher launcher(kLauncher);
  auto child = ChildProcess::Spawn(Shell("sleep 600 & echo $!; exit 0"), launcher);
  ASSERT_TRUE(child.ok()) << child.status();
  const std::vector<pid_t> left = Pids(FirstLine(child->stdout_fd()));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(EndOf(*child).code, 0);
  EXPECT_TRUE(AllGone(left, std::chrono::seconds(3)));
}

// What a program leaves running outside its process group (a session of its own, a
// daemon's double fork) is adopted by the launcher and ends with the trial.
TEST(Launcher, WhatAProgramLeftInASessionOfItsOwnEndsWithTheTrial) {
  Launcher launcher(kLauncher);
  // A daemon in a new session that has a child of its own: both pids on stdout.
  auto child = ChildProcess::Spawn(Shell("setsid sh -c 'sleep 600 & echo $! $$; wait' & sleep 0.2; exit 0"), launcher);
  ASSERT_TRUE(child.ok()) << child.status();
  const std::vector<pid_t> left = Pids(FirstLine(child->stdout_fd()));
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(EndOf(*child).code, 0);
  EXPECT_TRUE(AllGone(left, std::chrono::seconds(3))) << "a setsid daemon outlived its trial";
  // And reaped: no zombie of the trial's is left under the launcher.
  EXPECT_EQ(ChildrenLeft(launcher.pid()), std::vector<pid_t>{}) << "the launcher's children";
  // The launcher is still there for the next trial.
  auto next = ChildProcess::Spawn(Shell("exit 3"), launcher);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(EndOf(*next).code, 3);
}

// The runner's process killed with SIGKILL: its launcher kills every group it started
// (the program, and what that program forked and left running, in its group or not).
TEST(Launcher, ARunnerKilledWithSigkillTakesItsProgramsWithIt) {
  const pid_t runner = fork();
  ASSERT_GE(runner, 0);
  if (runner == 0) {
    setpgid(0, 0);  // so that the test can kill the runner's whole group
    Launcher launcher(kLauncher);
    auto child = ChildProcess::Spawn(Shell("trap '' TERM; setsid sleep 600 & sleep 600 & sleep 600"), launcher);
    if (!child.ok()) _exit(1);
    ReadAll(child->stdout_fd());  // until the test kills this process
    _exit(2);
  }
  // The runner's launcher, its program and the program's two sleeps, from /proc.
  std::vector<pid_t> programs;
  pid_t launcher = -1;
  for (int i = 0; i < 500 && programs.size() < 4; ++i) {
    programs.clear();
    for (pid_t l : ChildrenOf(runner)) {
      launcher = l;
      for (pid_t p : ChildrenOf(l)) {
        programs.push_back(p);
        for (pid_t q : ChildrenOf(p)) programs.push_back(q);
      }
    }
    if (programs.size() < 4) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (programs.size() >= 4) break;
  }
  ASSERT_GE(programs.size(), 4u) << "the program and its three sleeps (one in a session of its own)";
  // The runner's whole group (a shell's job control does this): the launcher leads a
  // group of its own, so it outlives the runner long enough to clean up, then goes.
  kill(-runner, SIGKILL);
  waitpid(runner, nullptr, 0);
  EXPECT_TRUE(AllGone(programs, std::chrono::seconds(3))) << "a program outlived its runner";
  EXPECT_TRUE(AllGone({launcher}, std::chrono::seconds(3))) << "the launcher outlived its runner";
}

// The launcher itself killed: the program's end is reported as lost, Finish still
// kills its group, and the next program starts through a new launcher.
TEST(Launcher, ALauncherThatDiesIsStartedAgain) {
  Launcher launcher(kLauncher);
  auto child = ChildProcess::Spawn(Shell("echo $$; sleep 600"), launcher);
  ASSERT_TRUE(child.ok()) << child.status();
  const std::string line = FirstLine(child->stdout_fd());
  ASSERT_FALSE(line.empty());
  const pid_t program = std::stoi(line);
  const pid_t old = launcher.pid();
  kill(old, SIGKILL);
  const Ending e = EndOf(*child);
  EXPECT_TRUE(e.lost);
  EXPECT_THAT(e.Describe(), HasSubstr("launcher"));
  EXPECT_TRUE(AllGone({program}, std::chrono::seconds(3)));
  auto next = ChildProcess::Spawn(Shell("exit 5"), launcher);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_NE(launcher.pid(), old);
  const Ending end = EndOf(*next);
  EXPECT_EQ(end.code, 5) << end.Describe();
}

}  // namespace
}  // namespace hpsearch::runtime
