// Command trials (trainer.command) through a real hpsearch-server and real child
// processes on 127.0.0.1: a Python and a shell program complete with their curves,
// placeholders and HPSEARCH_PARAMS agree, pruning / cancel / timeout end the whole
// process group (a program that ignores SIGTERM, one that forks), a failure keeps
// the tail of stderr, a flood of stdout costs no memory, a kill -9 of the server
// leaves no orphan, and a remote worker runs them only with --commands.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "tests/testing/e2e_fixture.h"
#include "tests/testing/process.h"
#include "tests/testing/process_gone.h"

namespace hpsearch::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

class CommandTrials : public E2ETest {
 protected:
  CommandTrials() : E2ETest("commands") {
    commands_ = dir_ / "code";
    fs::create_directories(commands_);
    fs::create_directories(commands_ + "/pids");
  }

  // A program in the commands directory.
  void Program(const std::string& name, const std::string& text) {
    const std::string path = commands_ + "/" + name;
    std::ofstream(path) << text;
    chmod(path.c_str(), 0755);
  }

  std::unique_ptr<ServerProcess> Server(const std::string& db, std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--commands", commands_});
    auto s = std::make_unique<ServerProcess>(dir_ / db, extra);
    EXPECT_TRUE(s->Start()) << s->log();
    return s;
  }

  std::string Submit(ServerProcess& s, const std::string& name, const std::string& yaml) {
    return Json(s.Cli({"submit", WriteSpec(name + ".yaml", yaml), "-o", "json"}))["id"];
  }

  // The pids the programs wrote to pids/ (one file each, any number of pids).
  std::vector<pid_t> Pids() {
    std::vector<pid_t> out;
    for (const auto& f : fs::directory_iterator(commands_ + "/pids")) {
      for (absl::string_view p : absl::StrSplit(ReadFile(f.path()), absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
        out.push_back(std::stoi(std::string(p)));
      }
    }
    return out;
  }

  // A file of an attempt's directory: <db>.trials/<sweep>/<trial>/<attempt>/<name>.
  std::string AttemptFile(const std::string& trials, const std::string& sweep, const std::string& rest) {
    return (fs::path(dir_ / trials) / sweep / rest).string();
  }

  std::string commands_;
};

const char* kPython = R"(#!/usr/bin/env python3
import json, os, sys
import hpsearch
p = hpsearch.params()
assert json.loads(os.environ["HPSEARCH_PARAMS"]) == p
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
with open(os.path.join(hpsearch.trial_dir(), "args.json"), "w") as f:
    json.dump({"args": args, "params": p, "trial": hpsearch.trial(), "seed": hpsearch.seed()}, f)
for epoch in range(1, p["epochs"] + 1):
    print(f"epoch {epoch} of trial {hpsearch.trial()}", flush=True)
    if hpsearch.report(epoch, loss=(p["x"] - 1) ** 2 + 1.0 / epoch, width=p["width"]):
        break
hpsearch.final(loss=(p["x"] - 1) ** 2, test_metric=0.5)
)";

TEST_F(CommandTrials, PythonAndShellProgramsCompleteWithTheirCurves) {
  Program("train.py", kPython);
  Program("train.sh", R"(#!/bin/sh
# Reports by echo, in the stdout form.
i=1
while [ $i -le 3 ]; do
  echo "training epoch $i"
  echo "hpsearch: epoch=$i loss=$(( 10 - $i )) lr=0.$i"
  i=$((i + 1))
done
)");
  auto server = Server("both.db", {"--workers", "2"});
  const std::string py = Submit(*server, "py", R"(name: py
trainer: {command: [python3, train.py, --x, "{x}", --width, "{width}", --trial, "{trial}"]}
objective: {metric: loss, goal: minimize}
method: grid
fixed: {epochs: 4}
parameters:
  x: {values: [0.5, 1.0, 2.0]}
  width: {values: [64, 128]}
)");
  const std::string sh = Submit(*server, "sh", R"(name: sh
trainer: {command: [train.sh]}
objective: {metric: loss}
method: grid
parameters:
  seed_value: {values: [1, 2]}
)");
  EXPECT_EQ(WaitForEnd(*server, py, std::chrono::seconds(60))["status"], "completed");
  EXPECT_EQ(WaitForEnd(*server, sh, std::chrono::seconds(60))["status"], "completed");
  const json best = Json(server->Cli({"best", py, "-k", "1", "-o", "json"}));
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best[0]["params"]["x"], 1.0);
  EXPECT_EQ(best[0]["objective"], 0.0);  // the `final` line, not the last epoch's 0.25
  const json t = Json(server->Cli({"trial", py, "0", "-o", "json"}));
  ASSERT_EQ(t["epochs"].size(), 4u);
  EXPECT_EQ(t["epochs"][3]["metrics"]["width"], 64);
  EXPECT_EQ(t["metrics"]["test_metric"], 0.5);
  // The command line it ran, as `trial` shows it (the same words the program got).
  EXPECT_EQ(t["command"], json({"python3", "train.py", "--x", "0.5", "--width", "64", "--trial", "0"}));
  EXPECT_THAT(server->Cli({"trial", py, "0"}).out,
              HasSubstr("\ncommand: python3 train.py --x 0.5 --width 64 --trial 0\n"));
  EXPECT_THAT(server->Cli({"trial", py, "0", "--as-trial-file"}).err,
              HasSubstr("`hpsearch trial " + py + " 0` shows the command line it ran"));
  // The placeholders and HPSEARCH_PARAMS agree, in the attempt's own directory.
  const json args = json::parse(ReadFile(AttemptFile("both.db.trials", py, "0/1/args.json")));
  EXPECT_EQ(args["args"]["--x"], "0.5");
  EXPECT_EQ(args["args"]["--width"], "64");
  EXPECT_EQ(args["args"]["--trial"], "0");
  EXPECT_EQ(args["params"]["x"], 0.5);
  EXPECT_EQ(args["params"]["width"], 64);
  EXPECT_EQ(args["params"]["epochs"], 4);
  EXPECT_EQ(args["trial"], 0);
  const json s = Json(server->Cli({"trial", sh, "1", "-o", "json"}));
  ASSERT_EQ(s["epochs"].size(), 3u);
  EXPECT_EQ(s["epochs"][2]["lr"], 0.3);
  EXPECT_EQ(s["objective"], 7);
  const Result logs = server->Cli({"logs", sh, "1"});
  EXPECT_EQ(logs.code, 0) << logs.err;
  EXPECT_THAT(logs.out, HasSubstr("training epoch 3\n"));
  EXPECT_EQ(server->Cli({"logs", py, "5"}).out,
            "epoch 1 of trial 5\nepoch 2 of trial 5\nepoch 3 of trial 5\n"
            "epoch 4 of trial 5\n");
  // `delete` removes the attempts' directories with the sweep.
  ASSERT_EQ(server->Cli({"delete", sh, "-y"}).code, 0);
  EXPECT_FALSE(fs::exists(AttemptFile("both.db.trials", sh, "")));
}

// Programs that end badly, and the reason each leaves.
TEST_F(CommandTrials, FailuresSayWhatHappened) {
  Program("fail.sh", "#!/bin/sh\necho 'loading data' >&2\necho 'Traceback: no such file data.csv' >&2\nexit 3\n");
  Program("sleep.sh", "#!/bin/sh\necho \"$$\" > pids/timeout\nexec sleep 60\n");
  Program("stubborn.sh", "#!/bin/sh\ntrap '' TERM\necho \"$$\" > pids/stubborn\necho 'still working' >&2\nsleep 60\n");
  Program("silent.sh", "#!/bin/sh\necho hello\n");
  Program("wrong.sh", "#!/bin/sh\necho 'hpsearch: epoch=1 loss=abc'\nsleep 5\n");
  Program("past.sh", "#!/bin/sh\necho 'hpsearch: epoch=4 loss=1'\nsleep 5\n");
  auto server = Server("fail.db", {"--workers", "2"});
  const std::string id = Submit(*server, "fail", R"(name: fail
trainer: {command: ["{program}"], timeout: 2s, grace: 1s}
objective: {metric: loss}
method: grid
fixed: {epochs: 3}
parameters:
  program: {values: [fail.sh, sleep.sh, stubborn.sh, silent.sh, wrong.sh, past.sh, missing-program]}
)");
  EXPECT_EQ(WaitForEnd(*server, id, std::chrono::seconds(60))["status"], "failed");
  std::map<std::string, std::string> reasons;
  std::map<std::string, int> index;
  for (const auto& t : Json(server->Cli({"trials", id, "-o", "json"}))) {
    reasons[t["params"]["program"]] = t["failure_reason"];
    index[t["params"]["program"]] = t["trial"];
  }
  // A program that wrote nothing: `logs` says so rather than print nothing.
  const Result quiet = server->Cli({"logs", id, std::to_string(index["sleep.sh"])});
  EXPECT_EQ(quiet.code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "");
  EXPECT_THAT(quiet.err, HasSubstr("[attempt 1 of trial " + std::to_string(index["sleep.sh"]) +
                                   " wrote nothing to stdout or stderr"));
  EXPECT_THAT(reasons["fail.sh"], HasSubstr("the program exited with code 3"));
  // The stderr tail over lines of its own (a view shows them so, or on one line).
  EXPECT_THAT(reasons["fail.sh"], HasSubstr("stderr:\nloading data\nTraceback: no such file data.csv"));
  EXPECT_THAT(reasons["sleep.sh"], HasSubstr("timeout: the program ran longer than trainer.timeout (2s)"));
  EXPECT_THAT(reasons["sleep.sh"], Not(HasSubstr("SIGKILL")));  // SIGTERM ended it
  EXPECT_THAT(reasons["stubborn.sh"], HasSubstr("timeout: the program ran longer than trainer.timeout (2s); still "
                                                "running 1s (trainer.grace) after SIGTERM, it was killed with SIGKILL"
                                                "; the end of its stderr:\nstill working"));
  EXPECT_THAT(reasons["silent.sh"], HasSubstr("reported no metrics"));
  EXPECT_THAT(reasons["wrong.sh"], HasSubstr("loss='abc': not a number"));
  EXPECT_EQ(reasons["past.sh"],
            "the program reported epoch 4, past the trial's 3 (its `epochs` setting): report epochs 1..3 or raise "
            "`epochs`");
  EXPECT_THAT(reasons["missing-program"], HasSubstr("cannot run 'missing-program'"));
  EXPECT_TRUE(AllGone(Pids(), std::chrono::seconds(3)));
}

// ASHA prunes, a cancel stops two running trials: each program's whole process
// group is gone within the grace period, a program that ignores SIGTERM and the
// child another one forked included.
TEST_F(CommandTrials, PruneAndCancelEndTheWholeProcessGroup) {
  Program("stubborn.py", R"(#!/usr/bin/env python3
import os, signal, sys, time
import hpsearch
p = hpsearch.params()
if p["kind"] == "ignores":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
pids = [os.getpid()]
if p["kind"] == "forks":
    child = os.fork()
    if child == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(600)
        os._exit(0)
    pids.append(child)
with open(f"pids/{hpsearch.sweep()}-{hpsearch.trial()}", "w") as f:
    f.write(" ".join(map(str, pids)))
for epoch in range(1, p["epochs"] + 1):
    print(f"epoch {epoch}", flush=True)
    if hpsearch.report(epoch, loss=p["loss"] + 1.0 / epoch):
        print(f"told to stop at epoch {epoch}", file=sys.stderr, flush=True)
        time.sleep(600)  # told to stop, and does not: it is killed after the grace period
    time.sleep(0.05)
)");
  auto server = Server("stop.db", {"--workers", "2"});
  const std::string pruned = Submit(*server, "pruned", R"(name: pruned
trainer: {command: [python3, stubborn.py], grace: 1s}
objective: {metric: loss}
method: grid
pruning: {method: asha, min_epochs: 2, reduction_factor: 2}
parallelism: {max_concurrent: 1}
fixed: {epochs: 20, kind: ignores}
parameters:
  loss: {values: [0.1, 5.0]}
)");
  // Trial 0 (loss 0.1) runs its 20 epochs; trial 1 (5.0) is pruned at epoch 2.
  EXPECT_EQ(WaitForEnd(*server, pruned, std::chrono::seconds(60))["status"], "completed");
  const json t1 = Json(server->Cli({"trial", pruned, "1", "-o", "json"}));
  EXPECT_EQ(t1["status"], "pruned");
  EXPECT_TRUE(AllGone(Pids(), std::chrono::seconds(3))) << "a pruned program outlived its grace";
  // What it wrote up to its end is kept, though the trial was pruned before that.
  const Result log = server->Cli({"logs", pruned, "1"});
  EXPECT_EQ(log.out, "epoch 1\nepoch 2\n");
  EXPECT_EQ(log.err, "told to stop at epoch 2\n");

  const std::string cancelled = Submit(*server, "cancelled", R"(name: cancelled
trainer: {command: [python3, stubborn.py], grace: 1s}
objective: {metric: loss}
method: grid
fixed: {epochs: 900}
parameters:
  kind: {values: [ignores, forks]}
  loss: {values: [1.0]}
)");
  for (int i = 0; i < 400 && Pids().size() < 2 + 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  const std::vector<pid_t> running = Pids();
  ASSERT_GE(running.size(), 2u + 3u) << "both programs (and the fork) started";
  ASSERT_EQ(server->Cli({"cancel", cancelled}).code, 0);
  EXPECT_EQ(WaitForEnd(*server, cancelled, std::chrono::seconds(30))["status"], "cancelled");
  EXPECT_TRUE(AllGone(running, std::chrono::seconds(4))) << "a cancelled program, or its fork, survived";
}

// 100 MB written to stdout as fast as the program can: kept bounded (the last 1 MiB),
// and the server's memory stays flat.
TEST_F(CommandTrials, AFloodOfOutputCostsNoMemory) {
  Program("flood.sh", R"(#!/bin/sh
head -c 100000000 /dev/zero | tr '\0' 'x'
echo
echo "hpsearch: epoch=1 loss=0.5"
)");
  auto server = Server("flood.db", {"--workers", "1"});
  const int64_t before = ResidentBytes(server->pid());
  const std::string id = Submit(*server, "flood", R"(name: flood
trainer: {command: [flood.sh]}
objective: {metric: loss}
method: grid
parameters:
  n: {values: [1]}
)");
  EXPECT_EQ(WaitForEnd(*server, id, std::chrono::seconds(120))["status"], "completed");
  EXPECT_LT(ResidentBytes(server->pid()) - before, 32 << 20) << "resident memory grew";
  // The server kept the last 1 MiB, said how much it dropped, and lost not the end.
  const Result logs = server->Cli({"logs", id, "0", "--stream", "stdout"});
  ASSERT_EQ(logs.code, 0) << logs.err;
  EXPECT_LT(logs.out.size(), (1u << 20) + 100u);
  EXPECT_THAT(logs.out, ::testing::StartsWith("["));
  EXPECT_THAT(logs.out, HasSubstr(" earlier bytes of output dropped]\nxxxx"));
  EXPECT_THAT(logs.out, ::testing::EndsWith("xx\nhpsearch: epoch=1 loss=0.5\n"));
  EXPECT_EQ(logs.err, "");
}

// A program's own metrics are listing keys; sorted by the objective's metric, the
// best come first by the sweep's goal (a `score` it maximizes: descending).
TEST_F(CommandTrials, ListingsSortByAProgramsMetricsTheObjectivesBestFirst) {
  Program("score.sh", "#!/bin/sh\necho \"hpsearch: epoch=1 score=$1 loss=$1\"\n");
  auto server = Server("score.db", {"--workers", "2"});
  const std::string id = Submit(*server, "score", R"(name: score
trainer: {command: [score.sh, "{x}"]}
objective: {metric: score, goal: maximize}
method: grid
parameters:
  x: {values: [1, 3, 2]}
)");
  EXPECT_EQ(WaitForEnd(*server, id, std::chrono::seconds(60))["status"], "completed");
  const auto order = [&](std::vector<std::string> args) {
    std::vector<std::string> cli = {"trials", id, "-o", "json"};
    cli.insert(cli.end(), args.begin(), args.end());
    std::vector<double> xs;
    for (const auto& t : Json(server->Cli(cli))) xs.push_back(t["params"]["x"]);
    return xs;
  };
  EXPECT_EQ(order({"--sort", "score"}), (std::vector<double>{3, 2, 1}));
  EXPECT_EQ(order({"--sort", "score", "--asc"}), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(order({"--sort", "loss"}), (std::vector<double>{1, 2, 3}));  // not an objective: a loss ascends
  EXPECT_EQ(order({"--where", "score>=2", "--sort", "score"}), (std::vector<double>{3, 2}));
  const Result typo = server->Cli({"trials", id, "--sort", "scor"});
  EXPECT_EQ(typo.code, 2);
  EXPECT_THAT(typo.err, HasSubstr("did you mean 'score'?"));
}

// `hpsearch logs -f` follows a running program's stdout and stderr to its end; each
// stream alone; the errors name what is wrong.
TEST_F(CommandTrials, LogsFollowBothStreamsToTheEnd) {
  Program("talk.py", R"(#!/usr/bin/env python3
import sys, time
import hpsearch
for epoch in range(1, 6):
    print(f"out {epoch}", flush=True)
    print(f"err {epoch}", file=sys.stderr, flush=True)
    time.sleep(0.3)
    hpsearch.report(epoch, loss=1.0 / epoch)
)");
  auto server = Server("talk.db", {"--workers", "1"});
  const std::string id = Submit(*server, "talk", R"(name: talk
trainer: {command: [python3, talk.py]}
objective: {metric: loss}
method: grid
parameters:
  n: {values: [1]}
)");
  // Started at once: the trial may still be pending; -f waits for it, then its end.
  const Result follow = server->Cli({"logs", id, "0", "-f"});
  EXPECT_EQ(follow.code, 0) << follow.err;
  EXPECT_EQ(follow.out, "out 1\nout 2\nout 3\nout 4\nout 5\n");
  EXPECT_EQ(follow.err, "err 1\nerr 2\nerr 3\nerr 4\nerr 5\n");
  EXPECT_EQ(Json(server->Cli({"status", id, "-o", "json"}))["status"], "completed");
  const Result err_only = server->Cli({"logs", id, "0", "--stream", "stderr", "--attempt", "1"});
  EXPECT_EQ(err_only.out, "");
  EXPECT_EQ(err_only.err, "err 1\nerr 2\nerr 3\nerr 4\nerr 5\n");
  const Result no_attempt = server->Cli({"logs", id, "0", "--attempt", "2"});
  EXPECT_EQ(no_attempt.code, 1);
  EXPECT_THAT(no_attempt.err, HasSubstr("has no attempt 2"));
  EXPECT_EQ(server->Cli({"logs", id, "7"}).code, 1);
  EXPECT_EQ(server->Cli({"logs", id, "0", "-o", "json"}).code, 2);
  const std::string builtin = Submit(*server, "builtin", R"(name: builtin
dataset: {name: xor}
method: grid
fixed: {epochs: 1, hidden: [4]}
parameters:
  lr: {values: [0.1]}
)");
  const Result refused = server->Cli({"logs", builtin, "0"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("built-in trainer"));
}

// `watch` into a file (a log, a pipe): its first line is there at once, not when the
// first trial ends; here no trial ends until the sweep is cancelled.
TEST_F(CommandTrials, APipedWatchWritesItsFirstLineAtOnce) {
  Program("asleep.py", "#!/usr/bin/env python3\nimport time\ntime.sleep(600)\n");
  auto server = Server("pipedwatch.db", {"--workers", "1"});
  const std::string id = Submit(*server, "pipedwatch", R"(name: pipedwatch
trainer: {command: [python3, asleep.py], grace: 1s}
objective: {metric: loss}
method: grid
parameters:
  n: {values: [1]}
)");
  Process watch;
  const std::string log = dir_ / "watch";
  ASSERT_TRUE(watch.Start({Bin("hpsearch"), "--server", server->address(), "watch", id}, log));
  bool shown = false;
  for (int i = 0; i < 200 && !shown; ++i) {
    shown = ReadFile(log + ".out").find(id + " pipedwatch: ") != std::string::npos;
    if (!shown) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(shown) << "nothing written within 10 s: " << ReadFile(log + ".out");
  ASSERT_EQ(server->Cli({"cancel", id}).code, 0);
  EXPECT_EQ(watch.Wait(std::chrono::seconds(30)), 0) << watch.log();
  EXPECT_THAT(ReadFile(log + ".out"), HasSubstr(id + " cancelled"));
}

// A twenty-epoch program whose first attempt is slow (4 s), writing its pid and its
// parent's (the slot's launcher) to pids/attempt-N; and its sweep.
const char* kLongProgram = R"(#!/usr/bin/env python3
import os, time
import hpsearch
with open(f"pids/attempt-{hpsearch.attempt()}", "w") as f:
    f.write(f"{os.getpid()} {os.getppid()}")
epochs = hpsearch.params()["epochs"]
for epoch in range(1, epochs + 1):
    time.sleep(0.2 if hpsearch.attempt() == 1 else 0.01)
    hpsearch.report(epoch, loss=1.0 / epoch)
)";
const char* kLongSweep = R"(name: long
trainer: {command: [python3, long.py]}
objective: {metric: loss}
method: grid
fixed: {epochs: 20}
parameters:
  n: {values: [1]}
)";

// kill -9 of the server mid-trial: the guard sees its runner die and kills the
// program's group; after the restart the trial runs again as a new attempt.
TEST_F(CommandTrials, AKilledServerLeavesNoOrphanAndTheTrialRunsAgain) {
  Program("long.py", kLongProgram);
  const std::string listen = "127.0.0.1:" + std::to_string(FreePort());
  const std::vector<std::string> flags = {"--workers", "1", "--commands", commands_};
  auto server = std::make_unique<ServerProcess>(dir_ / "kill.db", flags, listen);
  ASSERT_TRUE(server->Start()) << server->log();
  const std::string id = Submit(*server, "long", kLongSweep);
  for (int i = 0; i < 400 && Pids().size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  const std::vector<pid_t> first = Pids();
  ASSERT_EQ(first.size(), 2u) << "the program and its launcher";
  server->Kill(SIGKILL);
  server->Wait(std::chrono::seconds(10));
  EXPECT_TRUE(AllGone(first, std::chrono::seconds(3))) << "the program or its launcher outlived the server";
  server = std::make_unique<ServerProcess>(dir_ / "kill.db", flags, listen);
  ASSERT_TRUE(server->Start()) << server->log();
  EXPECT_EQ(WaitForEnd(*server, id, std::chrono::seconds(60))["status"], "completed");
  const json t = Json(server->Cli({"trial", id, "0", "-o", "json"}));
  EXPECT_EQ(t["attempt"], 2);
  EXPECT_EQ(t["epochs"].size(), 20u);
}

// kill -9 of a slot's launcher (hpsearch-trial-exec, the program's parent) mid-trial:
// the program is killed with its group, the trial runs again as a new attempt
// through a new launcher, and the server goes on.
TEST_F(CommandTrials, AKilledLauncherIsStartedAgainAndTheTrialRunsAgain) {
  Program("long.py", kLongProgram);
  auto server = Server("launcher.db", {"--workers", "1"});
  const std::string id = Submit(*server, "long", kLongSweep);
  for (int i = 0; i < 400 && Pids().size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  const std::vector<pid_t> first = Pids();
  ASSERT_EQ(first.size(), 2u) << "the program and its launcher";
  ASSERT_EQ(kill(first[1], SIGKILL), 0);
  EXPECT_TRUE(AllGone({first[0]}, std::chrono::seconds(4))) << "the program outlived its launcher";
  EXPECT_EQ(WaitForEnd(*server, id, std::chrono::seconds(60))["status"], "completed");
  const json t = Json(server->Cli({"trial", id, "0", "-o", "json"}));
  EXPECT_EQ(t["attempt"], 2);
  EXPECT_EQ(t["epochs"].size(), 20u);
  const std::string second = ReadFile(commands_ + "/pids/attempt-2");
  const std::string first_launcher = std::to_string(first[1]);
  EXPECT_NE(second.substr(second.find(' ') + 1), first_launcher) << "a new launcher ran the second attempt";
}

// A remote worker with --commands runs command trials; one without is never given
// one (it keeps the built-in trials).
TEST_F(CommandTrials, OnlyWorkersWithCommandsAreGivenThem) {
  Program("train.py", kPython);
  auto server = Server("remote.db", {"--workers", "0"});
  Process plain, able;
  ASSERT_TRUE(
      plain.Start({Bin("hpsearch-worker"), "--server", server->address(), "--id", "plain"}, dir_ / "plain.log"));
  const std::string cmd = Submit(*server, "cmd", R"(name: cmd
trainer: {command: [python3, train.py]}
objective: {metric: loss}
method: grid
fixed: {epochs: 2}
parameters:
  x: {values: [0.0, 1.0, 2.0]}
  width: {values: [8]}
)");
  const std::string builtin = Submit(*server, "builtin", R"(name: builtin
dataset: {name: xor}
method: grid
fixed: {epochs: 1, hidden: [4]}
parameters:
  lr: {values: [0.1, 0.01]}
)");
  EXPECT_EQ(WaitForEnd(*server, builtin, std::chrono::seconds(60))["status"], "completed");
  EXPECT_EQ(Json(server->Cli({"status", cmd, "-o", "json"}))["counts"]["running"], 0);
  ASSERT_TRUE(able.Start({Bin("hpsearch-worker"), "--server", server->address(), "--id", "able", "--commands",
                          commands_, "--state-dir", dir_ / "able-trials"},
                         dir_ / "able.log"));
  EXPECT_EQ(WaitForEnd(*server, cmd, std::chrono::seconds(60))["status"], "completed");
  std::set<std::string> workers;
  for (const auto& t : Json(server->Cli({"trials", cmd, "-o", "json"}))) workers.insert(t["worker"]);
  for (const auto& w : workers) EXPECT_THAT(w, ::testing::StartsWith("able/"));
  EXPECT_TRUE(fs::exists(AttemptFile("able-trials", cmd, "0/1/args.json")));
  // What the program wrote on the remote worker reached the server.
  EXPECT_EQ(server->Cli({"logs", cmd, "2"}).out, "epoch 1 of trial 2\nepoch 2 of trial 2\n");
  plain.Kill(SIGTERM);
  able.Kill(SIGTERM);
}

// `plan` shows the argv each trial will run: the same arguments the program gets.
TEST_F(CommandTrials, PlanShowsTheArgumentsEachTrialRuns) {
  Program("argv.sh", R"(#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done > "$HPSEARCH_TRIAL_DIR/argv"
echo "hpsearch: epoch=1 loss=1"
)");
  const std::string spec = WriteSpec("argv.yaml", R"(name: argv
trainer: {command: [argv.sh, --x, "{x}", "--kind={kind}", "{trial}", "{seed}", "{attempt}", "a b"]}
objective: {metric: loss}
method: random
seed: 11
budget: {max_trials: 3}
parameters:
  x: {min: 0.001, max: 1.0, scale: log}
  kind: {values: [it's, plain]}
)");
  const Result text = RunProcess({Bin("hpsearch"), "plan", spec});
  EXPECT_THAT(text.out, HasSubstr("command: argv.sh --x '{x}' '--kind={kind}' '{trial}' '{seed}' '{attempt}' 'a b'\n"));
  EXPECT_THAT(text.out, HasSubstr(R"('--kind=it'\''s' 0 )"));  // each row as a shell reads it back
  const json plan = Json(RunProcess({Bin("hpsearch"), "plan", spec, "-o", "json"}));
  ASSERT_EQ(plan["trials"].size(), 3u);
  auto server = Server("argv.db", {"--workers", "1"});
  const std::string id = Json(server->Cli({"submit", spec, "-o", "json"}))["id"];
  EXPECT_EQ(WaitForEnd(*server, id, std::chrono::seconds(60))["status"], "completed");
  for (int i = 0; i < 3; ++i) {
    std::vector<std::string> ran = absl::StrSplit(
        ReadFile(AttemptFile("argv.db.trials", id, absl::StrCat(i, "/1/argv"))), '\n', absl::SkipEmpty());
    std::vector<std::string> shown = plan["trials"][i]["command"];
    ASSERT_FALSE(shown.empty());
    shown.erase(shown.begin());  // argv.sh: the runner starts it by its path in the commands directory
    EXPECT_EQ(ran, shown) << "trial " << i;
    const json t = Json(server->Cli({"trial", id, std::to_string(i), "-o", "json"}));
    EXPECT_EQ(std::stod(shown[1]), t["params"]["x"].get<double>()) << "trial " << i;  // shortest round-trip text
  }
}

// `hpsearch importance`: withheld below its minimum of completed trials, then the
// parameter the objective depends on ahead of the one it ignores.
TEST_F(CommandTrials, ImportanceNamesWhatMattered) {
  Program("bowl.sh", "#!/bin/sh\necho \"hpsearch: epoch=1 loss=$(( ($1 - 2) * ($1 - 2) ))\"\n");
  auto server = Server("importance.db", {"--workers", "2"});
  const auto sweep = [&](const std::string& name, const std::string& ys) {
    const std::string id = Submit(*server, name, "name: " + name + R"(
trainer: {command: [bowl.sh, "{x}", "{y}"]}
objective: {metric: loss}
method: grid
parameters:
  x: {values: [0, 1, 2, 3, 4]}
  y: {values: )" + ys + "}\n");
    EXPECT_EQ(WaitForEnd(*server, id, std::chrono::seconds(60))["status"], "completed");
    return id;
  };
  const std::string few = sweep("few", "[0, 1]");  // 10 trials
  const Result withheld = server->Cli({"importance", few});
  EXPECT_EQ(withheld.code, 0) << withheld.err;
  EXPECT_THAT(withheld.out, HasSubstr("importance withheld: 10 completed trials so far, it is shown from 20 on"));
  EXPECT_TRUE(Json(server->Cli({"importance", few, "-o", "json"}))["withheld"].get<bool>());
  const std::string enough = sweep("enough", "[0, 1, 2, 3, 4]");  // 25 trials
  const json imp = Json(server->Cli({"importance", enough, "-o", "json"}));
  EXPECT_EQ(imp["completed_trials"], 25);
  EXPECT_FALSE(imp["withheld"].get<bool>());
  ASSERT_EQ(imp["importances"].size(), 2u);
  EXPECT_EQ(imp["importances"][0]["param"], "x");
  EXPECT_GT(imp["importances"][0]["importance"].get<double>(), 0.9);
  const Result table = server->Cli({"importance", "enough"});
  EXPECT_THAT(table.out, HasSubstr("PED-ANOVA over 25 completed trials"));
  EXPECT_THAT(table.out, HasSubstr("█"));
  EXPECT_EQ(server->Cli({"importance", "nope"}).code, 1);
}

// A failure its seed causes repeats on a plain retry; `retry --new-seed` gives the
// trial another seed, and each attempt keeps the one it ran with.
TEST_F(CommandTrials, RetryWithANewSeedGetsPastASeedsFailure) {
  Program("unlucky.sh", R"sh(#!/bin/sh
f="seen.$HPSEARCH_SWEEP.$HPSEARCH_TRIAL"
if [ -f "$f" ] && [ "$(cat "$f")" != "$HPSEARCH_SEED" ]; then echo "hpsearch: epoch=1 loss=1"; exit 0; fi
echo "$HPSEARCH_SEED" > "$f"
echo "seed $HPSEARCH_SEED is unlucky" >&2
exit 3
)sh");
  auto server = Server("seed.db", {"--workers", "1"});
  const std::string id = Submit(*server, "seed", R"(name: seed
trainer: {command: [unlucky.sh]}
objective: {metric: loss}
method: grid
parameters:
  x: {values: [1]}
)");
  EXPECT_EQ(WaitForEnd(*server, id, std::chrono::seconds(60))["counts"]["failed"], 1);
  ASSERT_EQ(server->Cli({"retry", id}).code, 0);
  EXPECT_EQ(WaitForEnd(*server, id, std::chrono::seconds(60))["counts"]["failed"], 1);  // the same seed, again
  const Result retried = server->Cli({"retry", id, "--new-seed"});
  ASSERT_EQ(retried.code, 0) << retried.err;
  EXPECT_EQ(WaitForEnd(*server, id, std::chrono::seconds(60))["counts"]["completed"], 1);
  const json t = Json(server->Cli({"trial", id, "0", "-o", "json"}));
  ASSERT_EQ(t["attempts"].size(), 3u) << t.dump();
  EXPECT_EQ(t["attempts"][0]["seed"], t["attempts"][1]["seed"]);
  EXPECT_NE(t["attempts"][1]["seed"], t["attempts"][2]["seed"]);
  EXPECT_EQ(t["attempts"][2]["seed"], t["seed"]);
  EXPECT_THAT(server->Cli({"trial", id, "0"}).out,
              HasSubstr(absl::StrCat("(seed ", t["attempts"][0]["seed"].get<uint64_t>(), ")")));
}

// Specs a command sweep refuses, each naming the field (exit 2 from submit).
TEST_F(CommandTrials, BadCommandSpecsAreRefusedNamingTheField) {
  auto plain = std::make_unique<ServerProcess>(dir_ / "plain.db", std::vector<std::string>{"--workers", "0"});
  ASSERT_TRUE(plain->Start()) << plain->log();
  const auto refused = [&](ServerProcess& s, const std::string& yaml, const std::string& message) {
    const Result r = s.Cli({"submit", WriteSpec("bad.yaml", yaml)});
    EXPECT_EQ(r.code, 2) << yaml << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr(message)) << yaml;
  };
  const std::string ok =
      "trainer: {command: [python3, t.py, \"{lr}\"]}\nobjective: {metric: loss}\n"
      "parameters:\n  lr: {min: 0.1, max: 1.0}\n";
  refused(*plain, "name: a\n" + ok, "trainer.command: this server runs no commands; start it with --commands DIR");
  auto server = Server("refuse.db", {"--workers", "0"});
  refused(*server,
          "name: b\ntrainer: {command: [python3, t.py, \"{lr2}\"]}\nobjective: {metric: loss}\n"
          "parameters:\n  lr: {min: 0.1, max: 1.0}\n",
          "trainer.command[2]: {lr2} is not a parameter or fixed setting of this spec (did you mean 'lr'?)");
  refused(*server,
          "name: c\ntrainer: {command: [python3, t.py]}\nobjective: {metric: loss}\n"
          "parameters:\n  \"learning rate\": {min: 0.1, max: 1.0}\n",
          "parameters.learning rate: a name is letters, digits and _");
  refused(*server, "name: d\ntrainer: {command: \"python3 t.py\"}\nobjective: {metric: loss}\n",
          "trainer.command: must be a list of arguments");
  refused(*server, "name: e\ntrainer: {command: [python3, t.py]}\nparameters:\n  x: {values: [1, 2]}\n",
          "objective.metric: is required with trainer.command");
  refused(*server,
          "name: f\ntrainer: {command: [python3, t.py]}\nobjective: {metric: loss}\n"
          "pruning: {method: asha}\nparameters:\n  x: {values: [1, 2]}\n",
          "pruning: needs the trials' epochs with trainer.command");
  EXPECT_EQ(Json(server->Cli({"submit", WriteSpec("good.yaml", "name: g\n" + ok), "-o", "json"}))["name"], "g");
  // A server whose own slots run the trials checks the program is there (with
  // --workers 0 its directory may be empty: the code is on the remote workers).
  Program("train.sh", "#!/bin/sh\necho 'hpsearch: epoch=1 loss=1'\n");
  auto slots = Server("slots.db", {"--workers", "1"});
  refused(*slots, "name: h\ntrainer: {command: [trian.sh]}\nobjective: {metric: loss}\n",
          "trainer.command[0]: 'trian.sh' is neither in this server's --commands directory nor on PATH (did you mean "
          "'train.sh'?)");
  EXPECT_EQ(Json(slots->Cli({"submit",
                             WriteSpec("h.yaml",
                                       "name: h\ntrainer: {command: [train.sh]}\n"
                                       "objective: {metric: loss}\n"),
                             "-o", "json"}))["name"],
            "h");
}

// Without a token, --commands is refused on an address beyond loopback.
TEST_F(CommandTrials, CommandsBeyondLoopbackNeedAToken) {
  const Result r = RunProcess({Bin("hpsearch-server"), "--listen", "0.0.0.0:0", "--db", dir_ / "open.db", "--commands",
                               commands_, "--workers", "0"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--commands runs programs for whoever can submit a sweep"));
  EXPECT_THAT(r.err, HasSubstr("needs --token"));
}

}  // namespace
}  // namespace hpsearch::testing
