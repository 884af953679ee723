// Reliability through real processes: watches that always end, stalled watchers
// that cost a bounded amount of memory, a disk that fills up and empties again, a
// short lease kept alive through long epochs, a submission retried across a crash,
// and the database check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <fstream>
#include <thread>

#include "nlohmann/json.hpp"
#include "tests/testing/e2e_fixture.h"
#include "tests/testing/process.h"

namespace hpsearch::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class Reliability : public E2ETest {
 protected:
  Reliability() : E2ETest("reliability") {}
};

// The race: the last trial finishing while the watch starts. Every one must end.
TEST_F(Reliability, SubmitWatchOfAOneTrialSweepEndsEveryTime) {
  ServerProcess server(dir_ / "w.db", {"--workers", "2", "--max-watch-streams", "8"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string spec = WriteSpec("one.yaml", R"(name: one
dataset: {name: xor, samples: 100}
method: random
budget: {max_trials: 1}
fixed: {epochs: 1, hidden: [2]}
parameters:
  lr: {min: 1.0e-3, max: 1.0e-1, scale: log}
)");
  int ended = 0;
  for (int i = 0; i < 100; ++i) {
    const Result r = RunProcessFor({Bin("hpsearch"), "--server", server.address(), "submit", spec, "--watch"},
                                   std::chrono::seconds(20));
    EXPECT_EQ(r.code, 0) << "run " << i << (r.code == -1 ? " hung" : "") << "\n" << r.out << r.err;
    if (r.code == 0 && r.out.find(" completed") != std::string::npos) ++ended;
  }
  EXPECT_EQ(ended, 100);
  // No stream was left behind holding a slot under --max-watch-streams.
  const Result after = RunProcessFor({Bin("hpsearch"), "--server", server.address(), "submit", spec, "--watch"},
                                     std::chrono::seconds(20));
  EXPECT_EQ(after.code, 0) << after.err;
  server.Kill(SIGTERM);
  EXPECT_EQ(server.Wait(std::chrono::seconds(10)), 0);
}

TEST_F(Reliability, FourStoppedWatchersOverA20000TrialSweepCostABoundedAmountOfMemory) {
  ServerProcess server(dir_ / "m.db", {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const json sweep = Json(server.Cli({"submit", WriteSpec("many.yaml", R"(name: many
dataset: {name: xor, samples: 64}
method: random
budget: {max_trials: 20000}
fixed: {epochs: 1, hidden: [2]}
parameters:
  lr: {min: 1.0e-4, max: 1.0, scale: log}
)"),
                                      "-o", "json"}));
  const std::string id = sweep["id"];
  std::vector<std::unique_ptr<Process>> watchers;
  for (int i = 0; i < 4; ++i) {
    watchers.push_back(std::make_unique<Process>());
    ASSERT_TRUE(watchers.back()->Start({Bin("hpsearch"), "--server", server.address(), "watch", id},
                                       dir_ / ("watch" + std::to_string(i))));
  }
  for (auto& w : watchers) {  // each has its snapshot, then stops reading
    for (int i = 0; i < 200 && ReadFile(dir_ / ("watch" + std::to_string(&w - &watchers[0])) + ".out").empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(w->pid(), SIGSTOP);
  }
  const int64_t before = ResidentBytes(server.pid());
  int64_t peak = before;
  json status;
  for (int i = 0; i < 1200; ++i) {
    peak = std::max(peak, ResidentBytes(server.pid()));
    status = Json(server.Cli({"status", id, "-o", "json"}));
    if (status["status"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  peak = std::max(peak, ResidentBytes(server.pid()));
  EXPECT_EQ(status["status"], "completed");
  EXPECT_EQ(status["counts"]["completed"], 20000);
  const double grown_mb = (peak - before) / 1048576.0;
  RecordProperty("server_growth_mb", std::to_string(grown_mb));
  std::printf("4 stopped watchers, 20,000 trials: server RSS %.1f MB → peak %.1f MB (+%.1f MB)\n", before / 1048576.0,
              peak / 1048576.0, grown_mb);
  EXPECT_LT(grown_mb, 40);
  // Woken up, each watcher catches up (skipped events summarised) and ends.
  for (int i = 0; i < 4; ++i) {
    kill(watchers[i]->pid(), SIGCONT);
    EXPECT_EQ(watchers[i]->Wait(std::chrono::seconds(30)), 0) << watchers[i]->log();
    const std::string out = ReadFile(dir_ / ("watch" + std::to_string(i)) + ".out");
    EXPECT_THAT(out, HasSubstr("events skipped: this watch fell behind"));
    EXPECT_THAT(out, HasSubstr(id + " completed"));
  }
  server.Kill(SIGTERM);
  EXPECT_EQ(server.Wait(std::chrono::seconds(10)), 0);
}

// RLIMIT_FSIZE on the running server: every write of the database fails (as on a
// full disk) until the limit is lifted. The server keeps answering, says why,
// keeps every result, and the sweep finishes.
TEST_F(Reliability, ADiskThatFillsUpAndEmptiesAgainLosesNothing) {
  const std::string db = dir_ / "full.db";
  ServerProcess server(db, {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("slow.yaml", R"(name: slow
dataset: {name: digits, validation: 0.2}
objective: {metric: val_accuracy, goal: maximize}
method: random
seed: 4
budget: {max_trials: 16}
fixed: {epochs: 16, hidden: [128], batch_size: 16, optimizer: adam}
parameters:
  lr: {min: 1.0e-4, max: 1.0e-2, scale: log}
)"),
                                          "-o", "json"}))["id"];
  for (int i = 0; i < 300; ++i) {
    if (Json(server.Cli({"status", id, "-o", "json"}))["counts"]["completed"] >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string pid = std::to_string(server.pid());
  ASSERT_EQ(RunProcess({"/usr/bin/prlimit", "--pid", pid, "--fsize=1:unlimited"}).code, 0);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  // Reads still work; a write is refused as transient, with the cause.
  const Result status = server.Cli({"status", id, "-o", "json"});
  EXPECT_EQ(status.code, 0) << status.err;
  const Result refused = server.Cli({"submit", WriteSpec("again.yaml", "name: again\ndataset: {name: xor}\n")});
  EXPECT_EQ(refused.code, 3) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("database"));
  ASSERT_EQ(RunProcess({"/usr/bin/prlimit", "--pid", pid, "--fsize=unlimited:unlimited"}).code, 0);
  const json end = WaitForEnd(server, id, std::chrono::seconds(120));
  EXPECT_EQ(end["status"], "completed") << server.log();
  EXPECT_EQ(end["counts"]["completed"], 16);
  const json trials = Json(server.Cli({"trials", id, "--limit", "0", "-o", "json"}));
  ASSERT_EQ(trials.size(), 16u);
  for (const auto& t : trials) {
    EXPECT_EQ(t["status"], "completed");
    const json one = Json(server.Cli({"trial", id, std::to_string(t["trial"].get<int>()), "-o", "json"}));
    EXPECT_EQ(one["epochs"].size(), 16u) << "trial " << t["trial"];
    int completions = 0;
    for (const auto& a : one["attempts"]) completions += a["outcome"] == "completed";
    EXPECT_EQ(completions, 1);
  }
  EXPECT_THAT(server.log(), HasSubstr("the database is writable again after"));
  server.Kill(SIGTERM);
  EXPECT_EQ(server.Wait(std::chrono::seconds(10)), 0);
  ExpectSound(db);
}

// Epochs of ~3 s under a 1 s lease: the worker's heartbeats follow the lease it was
// given, so no healthy trial loses it.
TEST_F(Reliability, ARemoteWorkerKeepsAShortLeaseThroughLongEpochs) {
  ServerProcess server(dir_ / "lease.db", {"--workers", "0", "--lease-seconds", "1"});
  ASSERT_TRUE(server.Start()) << server.log();
  Process worker;
  ASSERT_TRUE(worker.Start({Bin("hpsearch-worker"), "--server", server.address(), "--slots", "1", "--id", "w"},
                           dir_ / "worker.log"));
  const std::string id = Json(server.Cli({"submit", WriteSpec("long.yaml", R"(name: long-epochs
dataset: {name: fashion-mnist, validation: 0.1}
method: random
budget: {max_trials: 1}
fixed: {epochs: 2, hidden: [512, 256], batch_size: 128, optimizer: sgd}
parameters:
  lr: {min: 1.0e-3, max: 1.0e-1, scale: log}
)"),
                                          "-o", "json"}))["id"];
  const json end = WaitForEnd(server, id, std::chrono::seconds(240));
  EXPECT_EQ(end["status"], "completed") << end.dump() << server.log();
  for (const auto& t : Json(server.Cli({"trials", id, "-o", "json"}))) {
    EXPECT_EQ(t["attempt"], 1) << "trial " << t["trial"] << " lost its lease";
    EXPECT_EQ(t["status"], "completed");
  }
  EXPECT_THAT(server.log(), ::testing::Not(HasSubstr("lease expired")));
  worker.Kill(SIGTERM);
  worker.Wait(std::chrono::seconds(15));
  server.Kill(SIGTERM);
  server.Wait(std::chrono::seconds(10));
}

// The server stores the sweep and dies before replying; the CLI retries with the same
// request id against the restarted server and gets that sweep, not a second one.
TEST_F(Reliability, ASubmitRetriedAcrossACrashMakesOneSweep) {
  ServerProcess server(dir_ / "submit.db", {"--workers", "0"}, "127.0.0.1:" + std::to_string(FreePort()));
  server.SetNextEnv({"HPSEARCH_FAILPOINTS=scheduler.submit.after_commit"});
  ASSERT_TRUE(server.Start()) << server.log();
  Process cli;
  ASSERT_TRUE(cli.Start({Bin("hpsearch"), "--server", server.address(), "--timeout", "20", "submit",
                         WriteSpec("s.yaml", "name: once\ndataset: {name: xor}\n"), "-o", "json"},
                        dir_ / "cli.err"));
  EXPECT_EQ(server.Wait(std::chrono::seconds(10)), 137) << server.log();  // died at the point
  EXPECT_THAT(server.log(), HasSubstr("failpoint scheduler.submit.after_commit"));
  ASSERT_TRUE(server.Start()) << server.log();
  EXPECT_EQ(cli.Wait(std::chrono::seconds(30)), 0) << cli.log();
  const json made = json::parse(ReadFile(dir_ / "cli.err.out"), nullptr, false);
  EXPECT_EQ(made["id"], "s-000001");
  EXPECT_THAT(cli.log(), HasSubstr("retrying"));
  const json list = Json(server.Cli({"list", "-o", "json"}));
  EXPECT_EQ(list.size(), 1u);
  server.Kill(SIGTERM);
  server.Wait(std::chrono::seconds(10));
}

TEST_F(Reliability, WatchRidesOutAServerRestart) {
  const std::string db = dir_ / "restart.db";
  ServerProcess server(db, {"--workers", "2"}, "127.0.0.1:" + std::to_string(FreePort()));
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("w.yaml", R"(name: restart
dataset: {name: digits, validation: 0.2}
method: random
budget: {max_trials: 4}
fixed: {epochs: 40, hidden: [256, 256], batch_size: 8, optimizer: adam}
parameters:
  lr: {min: 1.0e-4, max: 1.0e-2, scale: log}
)"),
                                          "-o", "json"}))["id"];
  Process watch;
  ASSERT_TRUE(watch.Start({Bin("hpsearch"), "--server", server.address(), "watch", id}, dir_ / "watch.err"));
  for (int i = 0; i < 200; ++i) {  // the watch is under way, the sweep far from done
    if (Json(server.Cli({"status", id, "-o", "json"}))["counts"]["completed"] >= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  server.Kill(SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_TRUE(server.Start()) << server.log();
  EXPECT_EQ(watch.Wait(std::chrono::seconds(120)), 0) << watch.log();
  EXPECT_THAT(watch.log(), HasSubstr("lost the connection"));
  EXPECT_THAT(watch.log(), HasSubstr("reconnected"));
  EXPECT_THAT(ReadFile(dir_ / "watch.err.out"), HasSubstr(id + " completed"));
  server.Kill(SIGTERM);
  server.Wait(std::chrono::seconds(10));
  ExpectSound(db);
}

TEST_F(Reliability, CheckDbFindsADamagedDatabase) {
  const std::string db = dir_ / "check.db";
  ServerProcess server(db, {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("c.yaml", R"(name: check
dataset: {name: xor}
method: grid
fixed: {epochs: 2, hidden: [4]}
parameters:
  lr: {values: [0.1, 0.01]}
)"),
                                          "-o", "json"}))["id"];
  EXPECT_EQ(WaitForEnd(server, id, std::chrono::seconds(60))["status"], "completed");
  server.Kill(SIGTERM);
  ASSERT_EQ(server.Wait(std::chrono::seconds(10)), 0);
  const Result good = RunProcess({Bin("hpsearch-server"), "--check-db", "--db", db});
  EXPECT_EQ(good.code, 0) << good.err;
  EXPECT_THAT(good.out, HasSubstr("sound (schema v8)"));
  {
    SQLite::Database file(db, SQLite::OPEN_READWRITE);
    file.exec(
        "UPDATE sweeps SET n_completed = 7; UPDATE trials SET status = 2 WHERE idx = 0; "
        "UPDATE trial_counts SET n = n + 1 WHERE status = 3");
  }
  const Result bad = RunProcess({Bin("hpsearch-server"), "--check-db", "--db", db});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.out, HasSubstr("a finished sweep's counters differ from its rows: sweep s-000001"));
  EXPECT_THAT(bad.out, HasSubstr("a finished sweep has a pending or running trial: sweep s-000001 trial 0"));
  EXPECT_THAT(bad.out, HasSubstr("trial_counts differs from the trial rows"));
  EXPECT_EQ(RunProcess({Bin("hpsearch-server"), "--check-db", "--db", dir_ / "none.db"}).code, 2);
}

// Pages of trial_epochs overwritten on disk (a bad sector, a bad copy): SQLite's own
// page check finds what the hpsearch rules, which read through the b-trees, do not.
// `--check-db` reports it and exits 1; the server refuses to serve from the file.
TEST_F(Reliability, CheckDbAndStartupFindDamagedPages) {
  const std::string db = dir_ / "pages.db";
  ServerProcess server(db, {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("p.yaml", R"(name: pages
dataset: {name: iris}
method: grid
fixed: {epochs: 20, hidden: [8]}
parameters:
  lr: {min: 0.01, max: 0.2, count: 20}
)"),
                                          "-o", "json"}))["id"];
  EXPECT_EQ(WaitForEnd(server, id, std::chrono::seconds(120))["status"], "completed");
  server.Kill(SIGTERM);
  ASSERT_EQ(server.Wait(std::chrono::seconds(10)), 0);
  std::vector<int64_t> pages;
  int64_t page_size = 0;
  {
    SQLite::Database file(db, SQLite::OPEN_READONLY);
    page_size = file.execAndGet("PRAGMA page_size").getInt64();
    SQLite::Statement q(file, "SELECT pageno FROM dbstat WHERE name = 'trial_epochs' AND pagetype = 'leaf'");
    while (q.executeStep()) pages.push_back(q.getColumn(0).getInt64());
  }
  ASSERT_GE(pages.size(), 4u);
  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    std::string junk(static_cast<std::size_t>(page_size), '\0');
    for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 7919 + 13) % 251);
    for (std::size_t k = 1; k < pages.size(); k += 2) {
      f.seekp((pages[k] - 1) * page_size);
      f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
  }
  const Result check = RunProcess({Bin("hpsearch-server"), "--check-db", "--db", db});
  EXPECT_EQ(check.code, 1) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("sqlite integrity_check: "));
  EXPECT_THAT(check.err, HasSubstr("violations"));
  ServerProcess again(db, {"--workers", "2"});
  EXPECT_FALSE(again.Start());
  EXPECT_NE(again.Wait(std::chrono::seconds(10)), 0);
  EXPECT_THAT(again.log(), HasSubstr("is damaged (sqlite quick_check: "));
  EXPECT_THAT(again.log(), HasSubstr("--check-db"));
}

}  // namespace
}  // namespace hpsearch::testing
