// End to end: the real hpsearch-server process on 127.0.0.1 with a real SQLite file,
// driven by the real hpsearch CLI (and, for streams, a gRPC client).
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "hpsearch/v1/sweep_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/testing/e2e_fixture.h"
#include "tests/testing/process.h"

namespace hpsearch::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace v1 = hpsearch::v1;

// 10 digits trials of ~0.5-1 s each: long enough to interrupt, short enough for CI.
const char* kSlowSpec = R"(name: slow
dataset: {name: digits, validation: 0.2}
objective: {metric: val_accuracy, goal: maximize}
method: random
seed: 3
budget: {max_trials: 10}
fixed: {epochs: 16, hidden: [256, 256], batch_size: 8, optimizer: adam}
parameters:
  lr: {min: 1.0e-4, max: 1.0e-2, scale: log}
)";

const char* kFastSpec = R"(name: fast
dataset: {name: iris, validation: 0.2}
objective: {metric: val_accuracy, goal: maximize}
method: grid
fixed: {epochs: 20, hidden: [8]}
parameters:
  optimizer: {values: [sgd, momentum, adam, rmsprop]}
  lr: {values: [0.003, 0.03]}
)";

class ServerE2E : public E2ETest {
 protected:
  ServerE2E() : E2ETest("e2e") {}
};

TEST_F(ServerE2E, SubmitRunsEveryTrialAndTheBestAreSorted) {
  ServerProcess server(dir_ / "a.db", {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  EXPECT_EQ(server.Cli({"health"}).out, "SERVING\n");

  const Result submitted = server.Cli({"submit", WriteSpec("fast.yaml", kFastSpec), "-o", "json"});
  const json sweep = Json(submitted);
  EXPECT_EQ(sweep["total"], 8);
  const std::string id = sweep["id"];
  EXPECT_THAT(id, ::testing::StartsWith("s-"));

  const Result watched = server.Cli({"watch", id});
  EXPECT_EQ(watched.code, 0) << watched.out << watched.err;
  EXPECT_THAT(watched.out, HasSubstr(id + " completed"));

  const json status = Json(server.Cli({"status", "fast", "-o", "json"}));  // by name
  EXPECT_EQ(status["status"], "completed");
  EXPECT_EQ(status["counts"]["completed"], 8);
  EXPECT_EQ(status["done"], 8);

  const json best = Json(server.Cli({"best", id, "-k", "5", "-o", "json"}));
  ASSERT_EQ(best.size(), 5u);
  for (size_t i = 1; i < best.size(); ++i) {
    EXPECT_GE(best[i - 1]["objective"].get<double>(), best[i]["objective"].get<double>());
  }
  EXPECT_EQ(best[0]["status"], "completed");
  EXPECT_TRUE(best[0]["metrics"].contains("test_accuracy"));  // iris has a test split
  EXPECT_EQ(best[0]["objective"], best[0]["metrics"]["val_accuracy"]);
  EXPECT_EQ(best[0]["trial"], status["best_trial"]);

  const json all = Json(server.Cli({"trials", id, "--limit", "0", "-o", "json"}));
  ASSERT_EQ(all.size(), 8u);
  std::set<std::string> configs;
  for (const auto& t : all) configs.insert(t["params"].dump());
  EXPECT_EQ(configs.size(), 8u);  // the full grid, each point once

  const Result csv = server.Cli({"export", id});
  EXPECT_EQ(csv.code, 0);
  EXPECT_THAT(csv.out, ::testing::StartsWith("trial,status,objective,"));
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 9);

  // Sorting: by a parameter (ascending), by a metric best first in its natural
  // direction, --asc/--desc to override; an unknown key is an error with a
  // did-you-mean, never a silent order by index.
  auto order = [&](std::vector<std::string> args, const std::string& key, bool in_params) {
    args.insert(args.begin(), {"trials", id, "--limit", "0", "-o", "json"});
    std::vector<double> v;
    for (const auto& t : Json(server.Cli(args)))
      v.push_back(in_params ? t["params"][key].get<double>() : t["metrics"][key].get<double>());
    return v;
  };
  const auto by_lr = order({"--sort", "lr"}, "lr", true);
  EXPECT_TRUE(std::is_sorted(by_lr.begin(), by_lr.end()));
  EXPECT_NE(by_lr.front(), by_lr.back());
  const auto by_acc = order({"--sort", "val_accuracy"}, "val_accuracy", false);
  EXPECT_TRUE(std::is_sorted(by_acc.rbegin(), by_acc.rend())) << "accuracy: best (highest) first";
  const auto by_loss = order({"--sort", "val_loss"}, "val_loss", false);
  EXPECT_TRUE(std::is_sorted(by_loss.begin(), by_loss.end())) << "loss: best (lowest) first";
  const auto acc_up = order({"--sort", "val_accuracy", "--asc"}, "val_accuracy", false);
  EXPECT_TRUE(std::is_sorted(acc_up.begin(), acc_up.end()));
  const auto lr_down = order({"--sort", "lr", "--desc"}, "lr", true);
  EXPECT_TRUE(std::is_sorted(lr_down.rbegin(), lr_down.rend()));
  const Result table = server.Cli({"trials", id, "--sort", "val_loss"});
  EXPECT_THAT(table.out, HasSubstr("val_loss"));  // the sort column is shown
  EXPECT_THAT(table.out, HasSubstr("(sorted by val_loss, ascending)"));
  const Result typo = server.Cli({"trials", id, "--sort", "val_acuracy"});
  EXPECT_EQ(typo.code, 2);
  EXPECT_THAT(typo.err, HasSubstr("error: --sort: unknown key 'val_acuracy' (did you mean 'val_accuracy'?)"));
  EXPECT_EQ(server.Cli({"trials", id, "--sort", "foo"}).code, 2);

  const json trial = Json(server.Cli({"trial", id, "0", "-o", "json"}));
  EXPECT_EQ(trial["epochs"].size(), 20u);
  EXPECT_EQ(trial["attempts"].size(), 1u);
  EXPECT_EQ(trial["attempts"][0]["outcome"], "completed");
  EXPECT_GE(trial["diagnostics"].size(), 1u);

  server.Kill(SIGTERM);
  EXPECT_EQ(server.Wait(std::chrono::seconds(10)), 0) << server.log();
}

// A conv sweep through the whole service: the trainer builds what `plan` previews
// (same parameter count), the activation statistics have a row per conv layer and
// per hidden layer, and `trial` labels them so.
TEST_F(ServerE2E, AConvSweepRunsAsPlannedAndLabelsItsLayers) {
  ServerProcess server(dir_ / "conv.db", {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string spec = WriteSpec("conv.yaml", R"(name: conv
dataset: {name: digits, validation: 0.2}
objective: {metric: val_accuracy, goal: maximize}
method: grid
fixed: {epochs: 2, hidden: [16], conv_blocks: 1, conv_per_block: 2, conv_filters: 4, spatial_dropout: 0.1}
parameters:
  lr: {values: [0.01, 0.003]}
)");
  const json plan = Json(server.Cli({"plan", spec, "-o", "json"}));
  const int64_t planned = plan["trials"][0]["network"]["parameters"];
  const std::string id = Json(server.Cli({"submit", spec, "-o", "json"}))["id"];
  ASSERT_EQ(server.Cli({"watch", id}).code, 0);
  const json t = Json(server.Cli({"trial", id, "0", "-o", "json"}));
  EXPECT_EQ(t["status"], "completed") << t.dump();
  EXPECT_EQ(t["parameter_count"], planned);
  EXPECT_EQ(t["epochs_run"], 2);
  ASSERT_FALSE(t["diagnostics"].empty());
  EXPECT_EQ(t["diagnostics"][0]["std"].size(), 3u);  // conv 1, conv 2, hidden 1
  EXPECT_THAT(server.Cli({"trial", id, "0"}).out,
              HasSubstr("activations (mean ± std per layer: conv 1-2, then the hidden dense layers)"));
}

TEST_F(ServerE2E, KillNineMidSweepThenRestartFinishesEveryTrialExactlyOnce) {
  const std::string db = dir_ / "crash.db";
  ServerProcess server(db, {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("slow.yaml", kSlowSpec), "-o", "json"}))["id"];

  // Wait until some trials are done and others are running, then kill -9.
  json before;
  for (int i = 0; i < 600; ++i) {
    before = Json(server.Cli({"status", id, "-o", "json"}));
    if (before["counts"]["completed"] >= 3 && before["counts"]["running"] >= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE(before["counts"]["completed"].get<int>(), 3);
  ASSERT_LT(before["counts"]["completed"].get<int>(), 10) << "the sweep finished before the kill";
  const json done_before = Json(server.Cli({"trials", id, "--status", "completed", "--limit", "0", "-o", "json"}));
  server.Kill(SIGKILL);

  ServerProcess again(db, {"--workers", "2"});
  ASSERT_TRUE(again.Start()) << again.log();
  EXPECT_THAT(again.log(), HasSubstr("resumed"));
  const Result watched = again.Cli({"watch", id});
  EXPECT_EQ(watched.code, 0) << watched.out << watched.err;

  const json after = Json(again.Cli({"status", id, "-o", "json"}));
  EXPECT_EQ(after["status"], "completed");
  EXPECT_EQ(after["counts"]["completed"], 10);
  EXPECT_EQ(after["counts"]["failed"], 0);
  const json trials = Json(again.Cli({"trials", id, "--limit", "0", "-o", "json"}));
  ASSERT_EQ(trials.size(), 10u);
  std::map<int64_t, json> by_index;
  for (const auto& t : trials) by_index[t["trial"]] = t;
  EXPECT_EQ(by_index.size(), 10u);
  EXPECT_EQ(by_index.begin()->first, 0);
  EXPECT_EQ(by_index.rbegin()->first, 9);
  // Completed before the crash: untouched (same attempt, same finish time).
  for (const auto& t : done_before) {
    const json& now = by_index[t["trial"]];
    EXPECT_EQ(now["attempt"], 1);
    EXPECT_EQ(now["finished_ms"], t["finished_ms"]);
    EXPECT_EQ(now["objective"], t["objective"]);
  }
  // The ones interrupted ran again as attempt 2, with the restart on record.
  int retried = 0;
  for (const auto& [index, t] : by_index) {
    if (t["attempt"] == 2) {
      ++retried;
      const json detail = Json(again.Cli({"trial", id, std::to_string(index), "-o", "json"}));
      EXPECT_EQ(detail["attempts"][0]["outcome"], "server restarted");
      EXPECT_EQ(detail["attempts"][1]["outcome"], "completed");
    }
  }
  EXPECT_GE(retried, 1);
  again.Kill(SIGTERM);
  EXPECT_EQ(again.Wait(std::chrono::seconds(10)), 0);
}

TEST_F(ServerE2E, SigtermStopsWithinTenSecondsAndHandsTrialsBack) {
  const std::string db = dir_ / "term.db";
  // A grace of 0 s: running trials stop at their next epoch and go back to PENDING.
  ServerProcess server(db, {"--workers", "2", "--shutdown-grace", "0"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("slow.yaml", kSlowSpec), "-o", "json"}))["id"];
  for (int i = 0; i < 200; ++i) {
    if (Json(server.Cli({"status", id, "-o", "json"}))["counts"]["running"] >= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  const auto t0 = std::chrono::steady_clock::now();
  server.Kill(SIGTERM);
  EXPECT_EQ(server.Wait(std::chrono::seconds(10)), 0) << server.log();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_THAT(server.log(), HasSubstr("received SIGTERM"));
  EXPECT_THAT(server.log(), HasSubstr("stopped in"));

  ServerProcess again(db, {"--workers", "2"});
  ASSERT_TRUE(again.Start()) << again.log();
  EXPECT_EQ(again.Cli({"watch", id}).code, 0);
  const json trials = Json(again.Cli({"trials", id, "--limit", "0", "-o", "json"}));
  int handed_back = 0;
  for (const auto& t : trials) {
    EXPECT_EQ(t["status"], "completed");
    if (t["attempt"] == 2) {
      const json d = Json(again.Cli({"trial", id, std::to_string(t["trial"].get<int>()), "-o", "json"}));
      EXPECT_THAT(d["attempts"][0]["outcome"].get<std::string>(), HasSubstr("handed back"));
      ++handed_back;
    }
  }
  EXPECT_GE(handed_back, 1);
  EXPECT_EQ(trials.size(), 10u);
}

TEST_F(ServerE2E, ASecondServerOnTheSameDatabaseRefusesToStart) {
  ServerProcess first(dir_ / "shared.db", {"--workers", "1"});
  ASSERT_TRUE(first.Start()) << first.log();
  ServerProcess second(dir_ / "shared.db", {"--workers", "1"});
  EXPECT_FALSE(second.Start());
  EXPECT_EQ(second.Wait(std::chrono::seconds(10)), 1);
  EXPECT_THAT(second.log(), HasSubstr("is in use by another hpsearch-server"));
  EXPECT_EQ(first.Cli({"health"}).out, "SERVING\n");
  first.Kill(SIGTERM);
  EXPECT_EQ(first.Wait(std::chrono::seconds(10)), 0);
  ServerProcess third(dir_ / "shared.db", {"--workers", "1"});  // free again
  EXPECT_TRUE(third.Start()) << third.log();
}

TEST_F(ServerE2E, ErrorsCarryTheRightStatusAndExitCode) {
  ServerProcess server(dir_ / "err.db", {"--workers", "1", "--max-trials", "5"});
  ASSERT_TRUE(server.Start()) << server.log();
  // Valid locally, over this server's limit: the server's INVALID_ARGUMENT names the field.
  Result r = server.Cli({"submit", WriteSpec("big.yaml", kSlowSpec)});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("budget.max_trials: must be <= 5"));
  // Invalid locally: exit 2 with the field path, nothing sent.
  r = server.Cli(
      {"submit", WriteSpec("bad.yaml", "dataset: {name: iris}\nparameters:\n  lr: {min: -1, max: 1, scale: log}\n")});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("parameters.lr"));
  r = server.Cli({"status", "no-such-sweep"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("sweep 'no-such-sweep' not found"));
  r = server.Cli({"trials", "s-000001", "--sort", "val_loss); DROP TABLE trials; --"});
  EXPECT_EQ(r.code, 1) << r.err;  // not found: nothing was submitted
  r = server.Cli({"trials", "x", "--status", "sleeping"});
  EXPECT_EQ(r.code, 2);
  r = server.Cli({"bogus-command"});
  EXPECT_EQ(r.code, 2);
  r = RunProcess({Bin("hpsearch"), "--server", "127.0.0.1:1", "--timeout", "2", "list"});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, HasSubstr("cannot reach hpsearch-server at 127.0.0.1:1"));
  EXPECT_EQ(RunProcess({Bin("hpsearch"), "--server", "127.0.0.1:1", "--timeout", "2", "health"}).code, 3);
  // Stopping or cancelling a finished sweep changes nothing and succeeds, saying so.
  // Its grid was cut by max_trials: status says so.
  const std::string id = Json(server.Cli(
      {"submit", WriteSpec("f.yaml", std::string(kFastSpec) + "budget: {max_trials: 2}\n"), "-o", "json"}))["id"];
  EXPECT_EQ(server.Cli({"watch", id}).code, 0);
  // A mistyped sweep name gets a did-you-mean; a negative trial index says what an index is.
  r = server.Cli({"status", "fsat"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("sweep 'fsat' not found (did you mean 'fast'?)"));
  r = server.Cli({"trial", id, "-1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("'-1' is not a trial index (0, 1, 2, ...: the TRIAL column of `hpsearch trials`)"));
  EXPECT_LT(r.err.size(), 300u) << r.err;
  for (const char* verb : {"cancel", "stop"}) {
    r = server.Cli({verb, id});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("has already finished (completed); nothing to " + std::string(verb)));
  }
  r = server.Cli({"status", id});
  EXPECT_THAT(r.out,
              HasSubstr("the first 2 of 8 grid points (budget.max_trials); a random search samples the whole space"));
  // A sort key that is not a metric name is refused with the field.
  r = server.Cli({"trials", id, "--sort", "val_loss); DROP TABLE trials; --"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("error: --sort: unknown key"));
  EXPECT_EQ(server.Cli({"trials", id, "-o", "json"}).code, 0);  // the table is still there
}

TEST_F(ServerE2E, CancelStopsRunningTrialsAndStopLetsThemFinish) {
  ServerProcess server(dir_ / "cancel.db", {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string spec = WriteSpec("slow.yaml", kSlowSpec);
  const std::string a = Json(server.Cli({"submit", spec, "--name", "to-cancel", "-o", "json"}))["id"];
  for (int i = 0; i < 400; ++i) {
    if (Json(server.Cli({"status", a, "-o", "json"}))["counts"]["running"] >= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  const Result cancelled = server.Cli({"cancel", "to-cancel"});
  EXPECT_EQ(cancelled.code, 0) << cancelled.err;
  EXPECT_EQ(cancelled.out, a + " cancelled\n");
  const json s = Json(server.Cli({"status", a, "-o", "json"}));
  EXPECT_EQ(s["status"], "cancelled");
  EXPECT_EQ(s["counts"]["running"], 0);
  EXPECT_EQ(s["counts"]["pending"], 0);
  // Counts agree with the listings: cancelled and completed are rows; the trials
  // that never started are counted apart, and the three make the total.
  const int cancelled_rows = s["counts"]["cancelled"].get<int>() + s["counts"]["completed"].get<int>();
  EXPECT_EQ(cancelled_rows + s["counts"]["not_started"].get<int>(), 10) << s.dump();
  EXPECT_GT(s["counts"]["not_started"].get<int>(), 0) << s.dump();
  EXPECT_EQ(static_cast<int>(Json(server.Cli({"trials", a, "--limit", "0", "-o", "json"})).size()), cancelled_rows);
  const std::string export_csv = server.Cli({"export", a}).out;
  EXPECT_EQ(std::count(export_csv.begin(), export_csv.end(), '\n'), cancelled_rows + 1);
  EXPECT_THAT(server.Cli({"status", a}).out, HasSubstr(" never started (the sweep ended first)"));
  const Result watched = server.Cli({"watch", a});  // a finished sweep: the snapshot, then the end
  EXPECT_EQ(watched.code, 0);
  EXPECT_THAT(watched.out, HasSubstr("trials never started)"));

  const std::string b = Json(server.Cli({"submit", spec, "--name", "to-stop", "-o", "json"}))["id"];
  int running = 0;
  for (int i = 0; i < 400 && running == 0; ++i) {
    running = Json(server.Cli({"status", b, "-o", "json"}))["counts"]["running"];
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  const Result stopped = server.Cli({"stop", b});
  EXPECT_EQ(stopped.code, 0) << stopped.err;
  EXPECT_THAT(stopped.out, HasSubstr("stopping"));
  // While it stops, the trials it will not start are not_started, not cancelled too:
  // the counts make the total, and the listing has the counted rows.
  const json stopping = Json(server.Cli({"status", b, "-o", "json"}));
  int rows = 0;
  for (const char* k : {"pending", "running", "completed", "failed", "pruned", "cancelled"}) {
    rows += stopping["counts"][k].get<int>();
  }
  EXPECT_EQ(stopping["counts"]["cancelled"], 0) << stopping.dump();
  EXPECT_EQ(rows + stopping["counts"]["not_started"].get<int>(), 10) << stopping.dump();
  EXPECT_EQ(static_cast<int>(Json(server.Cli({"trials", b, "--limit", "0", "-o", "json"})).size()), rows);
  const std::string text = server.Cli({"status", b}).out;
  EXPECT_THAT(text, ::testing::Not(HasSubstr("to come")));
  if (stopping["counts"]["not_started"].get<int>() > 0) {  // its last trials may have ended since
    EXPECT_THAT(text, ::testing::AnyOf(HasSubstr("will not start (the sweep is stopping)"),
                                       HasSubstr("never started (the sweep ended first)")));
  }
  EXPECT_EQ(server.Cli({"watch", b}).code, 0);
  const json t = Json(server.Cli({"status", b, "-o", "json"}));
  EXPECT_EQ(t["status"], "cancelled");
  EXPECT_EQ(t["reason"], "stopped by request");
  EXPECT_GE(t["counts"]["completed"].get<int>(), running);  // the running ones finished
  EXPECT_EQ(t["counts"]["failed"], 0);
}

// The lifecycle after a sweep ends: extend reopens it for more trials, retry runs a
// failed trial again as a new attempt, delete asks first and frees nothing it should not.
TEST_F(ServerE2E, ExtendRetryAndDeleteAFinishedSweep) {
  ServerProcess server(dir_ / "life.db", {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string a = Json(server.Cli({"submit", WriteSpec("rnd.yaml", R"(name: more
dataset: {name: iris, validation: 0.2}
method: random
seed: 5
budget: {max_trials: 3}
fixed: {epochs: 10, hidden: [8]}
parameters:
  lr: {min: 1.0e-3, max: 1.0e-1, scale: log}
)"),
                                         "-o", "json"}))["id"];
  ASSERT_EQ(WaitForEnd(server, a, std::chrono::seconds(60))["status"], "completed");
  const double ran = Json(server.Cli({"status", a, "-o", "json"}))["elapsed_seconds"];
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // finished, idle
  const Result usage = server.Cli({"extend", a});
  EXPECT_EQ(usage.code, 2);
  EXPECT_THAT(usage.err, HasSubstr("give --trials N, --duration D or both"));
  const Result extended = server.Cli({"extend", "more", "--trials", "2"});
  EXPECT_EQ(extended.code, 0) << extended.err;
  EXPECT_EQ(extended.out, a + " was completed; running again: 5 trials (3 done, 2 to run)\n");
  EXPECT_EQ(server.Cli({"watch", a}).code, 0);
  json done = Json(server.Cli({"status", a, "-o", "json"}));
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["counts"]["completed"], 5) << done.dump();
  // Elapsed is running time: the 1.5 s it sat finished before the extend are not in it.
  EXPECT_LT(done["elapsed_seconds"].get<double>(), ran + 1.0) << done.dump();
  EXPECT_EQ(Json(server.Cli({"trials", a, "-o", "json"})).size(), 5u);
  const Result no_time = server.Cli({"extend", a, "--duration", "10m"});
  EXPECT_EQ(no_time.code, 1);
  EXPECT_THAT(no_time.err, HasSubstr("has run all its 5 trials: more time alone adds none"));

  // lr 1000 diverges: one trial fails, and fails again when retried (it is the same
  // configuration and seed), now with two attempts on record.
  const std::string b = Json(server.Cli({"submit", WriteSpec("div.yaml", R"(name: diverges
dataset: {name: iris, validation: 0.2}
method: grid
fixed: {epochs: 5, hidden: [8], optimizer: sgd}
parameters:
  lr: {values: [0.03, 1000]}
)"),
                                         "-o", "json"}))["id"];
  ASSERT_EQ(WaitForEnd(server, b, std::chrono::seconds(60))["counts"]["failed"], 1);
  // The other kind there is, with the command that retries it.
  EXPECT_EQ(server.Cli({"retry", b, "--cancelled"}).out,
            b + " has no cancelled trials; nothing to retry (1 failed: hpsearch retry " + b + ")\n");
  const Result retried = server.Cli({"retry", b});
  EXPECT_EQ(retried.code, 0) << retried.err;
  EXPECT_EQ(
      retried.out,
      b + ": 1 failed trial requeued as a new attempt; completed sweep running again: 2 trials (1 done, 1 to run)\n");
  EXPECT_EQ(WaitForEnd(server, b, std::chrono::seconds(60))["counts"]["failed"], 1);
  const json trial = Json(server.Cli({"trial", b, "1", "-o", "json"}));
  EXPECT_EQ(trial["attempt"], 2) << trial.dump();
  EXPECT_EQ(trial["attempts"].size(), 2u) << trial.dump();

  // delete: refused without an answer, done with one; the id is never reused.
  const Result unanswered =
      RunProcess({"/bin/sh", "-c", Bin("hpsearch") + " --server " + server.address() + " delete " + b + " </dev/null"});
  EXPECT_EQ(unanswered.code, 1);
  EXPECT_THAT(unanswered.err, HasSubstr("not deleted (no answer; pass --yes to delete without asking)"));
  const Result declined =
      RunProcess({"/bin/sh", "-c", "echo n | " + Bin("hpsearch") + " --server " + server.address() + " delete " + b});
  EXPECT_EQ(declined.code, 1);
  EXPECT_THAT(declined.err, HasSubstr("Delete sweep " + b + " 'diverges' (completed, 2 trials, created "));
  EXPECT_EQ(server.Cli({"status", b}).code, 0);
  const Result deleted =
      RunProcess({"/bin/sh", "-c", "echo y | " + Bin("hpsearch") + " --server " + server.address() + " delete " + b});
  EXPECT_EQ(deleted.code, 0) << deleted.err;
  EXPECT_THAT(deleted.out, HasSubstr("deleted sweep " + b + " 'diverges'"));
  const Result gone = server.Cli({"status", b});
  EXPECT_EQ(gone.code, 1);
  EXPECT_THAT(gone.err, HasSubstr("not found"));
  EXPECT_EQ(Json(server.Cli({"list", "-o", "json"})).size(), 1u);
  const std::string c = Json(server.Cli({"submit", WriteSpec("slow.yaml", kSlowSpec), "-o", "json"}))["id"];
  EXPECT_EQ(c, "s-000003");  // b was s-000002, the newest, and stays unused
  const Result running = server.Cli({"delete", c, "--yes"});
  EXPECT_EQ(running.code, 1);
  EXPECT_EQ(running.err,
            "error: sweep " + c + " is running: cancel it first (hpsearch cancel " + c + "), then delete it\n");
  EXPECT_EQ(server.Cli({"cancel", c}).code, 0);
  EXPECT_EQ(Json(server.Cli({"delete", c, "-y", "-o", "json"}))["deleted"], true);
  EXPECT_EQ(server.Cli({"delete", a, "--yes"}).code, 0);
  EXPECT_EQ(Json(server.Cli({"list", "-o", "json"})).size(), 0u);
  server.Kill(SIGTERM);
  EXPECT_EQ(server.Wait(std::chrono::seconds(10)), 0);
  ExpectSound(server.db());
}

// Ctrl-C ends the watch, not the sweep, and says so; piped, only ended trials get a
// line (--starts adds the starts).
// `spec` prints the stored spec as YAML, extend's budget in it; it submits again and
// draws the same trials.
TEST_F(ServerE2E, SpecPrintsTheStoredSpecWhichSubmitsAgain) {
  ServerProcess server(dir_ / "spec.db", {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string a = Json(server.Cli({"submit", WriteSpec("rnd.yaml", R"(name: more
dataset: {name: iris, validation: 0.2}
method: random
seed: 5
budget: {max_trials: 3}
fixed: {epochs: 10, hidden: [8]}
parameters:
  lr: {min: 1.0e-3, max: 1.0e-1, scale: log}
)"),
                                         "-o", "json"}))["id"];
  ASSERT_EQ(WaitForEnd(server, a, std::chrono::seconds(60))["status"], "completed");
  ASSERT_EQ(server.Cli({"extend", "more", "--trials", "2"}).code, 0);
  ASSERT_EQ(WaitForEnd(server, a, std::chrono::seconds(60))["status"], "completed");
  const Result spec = server.Cli({"spec", "more"});
  EXPECT_EQ(spec.code, 0) << spec.err;
  EXPECT_EQ(spec.out, "# sweep " + a + R"( as stored by the server
name: more
dataset: {name: iris, validation: 0.2}
method: random
seed: 5
budget: {max_trials: 5}
fixed: {epochs: 10, hidden: [8]}
parameters:
  lr: {min: 0.001, max: 0.1, scale: log}
)");
  EXPECT_EQ(Json(server.Cli({"spec", a, "-o", "json"}))["budget"]["max_trials"], "5");
  const std::string again = Json(server.Cli({"submit", WriteSpec("again.yaml", spec.out), "-o", "json"}))["id"];
  EXPECT_EQ(WaitForEnd(server, again, std::chrono::seconds(60))["status"], "completed");
  const json first = Json(server.Cli({"trials", a, "-o", "json"})),
             second = Json(server.Cli({"trials", again, "-o", "json"}));
  ASSERT_EQ(second.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(first[i]["params"], second[i]["params"]) << i;  // the same draws
  EXPECT_EQ(server.Cli({"spec", "nope"}).code, 1);
}

// `trial --as-trial-file` writes a trial file that hpsearch-worker train trains to the
// same numbers, seeds of all 64 bits included.
TEST_F(ServerE2E, ATrialFileReproducesATrialExactly) {
  ServerProcess server(dir_ / "repro.db", {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("repro.yaml", R"(name: repro
dataset: {name: iris, validation: 0.2}
method: random
seed: 7
budget: {max_trials: 4}
fixed: {epochs: 5, hidden: [8], dropout: 0.1}
parameters:
  lr: {min: 1.0e-3, max: 1.0e-1, scale: log}
  batch_size: {values: [8, 16]}
)"),
                                          "-o", "json"}))["id"];
  ASSERT_EQ(WaitForEnd(server, id, std::chrono::seconds(60))["status"], "completed");
  bool high_seed = false;
  for (int i = 0; i < 4; ++i) {
    const Result file = server.Cli({"trial", id, std::to_string(i), "--as-trial-file"});
    ASSERT_EQ(file.code, 0) << file.err;
    const json t = Json(server.Cli({"trial", id, std::to_string(i), "-o", "json"}));
    high_seed = high_seed || t["seed"].get<uint64_t>() >= (uint64_t{1} << 63);
    EXPECT_THAT(file.out, HasSubstr("\nseed: " + std::to_string(t["seed"].get<uint64_t>()) + "\n"));
    const Result trained = RunProcess({Bin("hpsearch-worker"), "train", "--config",
                                       WriteSpec("t" + std::to_string(i) + ".yaml", file.out), "--json"});
    ASSERT_EQ(trained.code, 0) << trained.err;
    EXPECT_EQ(json::parse(trained.out)["metrics"], t["metrics"]) << "trial " << i;  // exactly
  }
  EXPECT_TRUE(high_seed) << "no trial's seed used the 64th bit: choose another sweep seed";
}

// `hpsearch-worker train` with a CSV it cannot find says where it looked and how to
// look elsewhere.
TEST_F(ServerE2E, WorkerTrainSaysWhereItLookedForACsv) {
  const std::string config =
      WriteSpec("missing-csv.yaml", "dataset: {name: csv, path: data/houses.csv, target: price}\nepochs: 1\n");
  const Result plain = RunProcess({Bin("hpsearch-worker"), "train", "--config", config});
  EXPECT_EQ(plain.code, 2);
  EXPECT_THAT(plain.err, HasSubstr("does not exist"));
  EXPECT_THAT(plain.err, HasSubstr("looked for /"));
  EXPECT_THAT(plain.err, HasSubstr("data/houses.csv; a relative path resolves in the current directory"));
  EXPECT_THAT(plain.err, HasSubstr("--data-dir DIR"));
  const std::string data_dir = dir_.path().string();
  const Result in_dir = RunProcess({Bin("hpsearch-worker"), "train", "--config", config, "--data-dir", data_dir});
  EXPECT_EQ(in_dir.code, 2);
  EXPECT_THAT(in_dir.err, HasSubstr("looked for " + (dir_.path() / "data/houses.csv").lexically_normal().string()));
  EXPECT_THAT(in_dir.err, HasSubstr("resolves in --data-dir " + data_dir));
}

TEST_F(ServerE2E, InterruptingAWatchLeavesTheSweepRunningAndSaysSo) {
  ServerProcess server(dir_ / "int.db", {"--workers", "1"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("slow.yaml", kSlowSpec), "-o", "json"}))["id"];
  Process watch;
  ASSERT_TRUE(watch.Start({Bin("hpsearch"), "--server", server.address(), "watch", id}, dir_ / "watch.err"));
  const std::string out_file = dir_ / "watch.err.out";
  for (int i = 0; i < 400 && ReadFile(out_file).find("trial 0 completed") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  watch.Kill(SIGINT);
  EXPECT_EQ(watch.Wait(std::chrono::seconds(10)), 130);
  EXPECT_THAT(watch.log(),
              HasSubstr("watch stopped; sweep " + id + " keeps running (hpsearch stop " + id + " to stop it)"));
  const std::string lines = ReadFile(out_file);
  EXPECT_THAT(lines, HasSubstr("trial 0 completed"));
  EXPECT_THAT(lines, ::testing::Not(HasSubstr("trial 0 running"))) << lines;
  EXPECT_EQ(Json(server.Cli({"status", id, "-o", "json"}))["status"], "running");
  EXPECT_EQ(server.Cli({"cancel", id}).code, 0);
}

TEST_F(ServerE2E, BestWithoutACompletedTrialSaysWhetherTheSweepEnded) {
  ServerProcess server(dir_ / "none.db", {"--workers", "0"});  // nothing will run
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("slow.yaml", kSlowSpec), "-o", "json"}))["id"];
  EXPECT_EQ(server.Cli({"best", id}).out, "no completed trials yet\n");
  EXPECT_EQ(server.Cli({"cancel", id}).code, 0);
  EXPECT_EQ(server.Cli({"best", id}).out, "no completed trials: sweep " + id + " cancelled (cancelled by request)\n");
}

// `hpsearch completion bash` completes commands, options, output formats and, asked
// of the server, sweep names: run in a real bash as its completion system would.
TEST_F(ServerE2E, ShellCompletionCompletesCommandsOptionsAndSweepNames) {
  ServerProcess server(dir_ / "comp.db", {"--workers", "0"});
  ASSERT_TRUE(server.Start()) << server.log();
  Json(server.Cli({"submit", WriteSpec("fast.yaml", kFastSpec), "-o", "json"}));
  const Result script = RunProcess({Bin("hpsearch"), "completion", "bash"});
  ASSERT_EQ(script.code, 0) << script.err;
  const std::string file = WriteSpec("hpsearch.bash", script.out);
  auto complete = [&](const std::string& words) {
    const std::string bin = Bin("hpsearch");
    const std::string dir = bin.substr(0, bin.rfind('/'));
    const std::string cmd = "PATH=" + dir + ":$PATH; source " + file + "; COMP_WORDS=(" + words +
                            "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _hpsearch; echo \"${COMPREPLY[*]}\"";
    return RunProcess({"/bin/bash", "-c", cmd}).out;
  };
  EXPECT_EQ(complete("hpsearch st"), "status stop\n");
  EXPECT_EQ(complete("hpsearch --server " + server.address() + " status fa"), "fast\n");
  EXPECT_EQ(complete("hpsearch --server " + server.address() + " trials s-0"), "s-000001\n");
  EXPECT_EQ(complete("hpsearch trials fast --so"), "--sort\n");
  EXPECT_EQ(complete("hpsearch -o w"), "wide\n");
  EXPECT_EQ(complete("hpsearch completion z"), "zsh\n");
  const Result zsh = RunProcess({Bin("hpsearch"), "completion", "zsh"});
  EXPECT_EQ(zsh.code, 0);
  EXPECT_THAT(zsh.out, HasSubstr("bashcompinit"));
  EXPECT_EQ(RunProcess({Bin("hpsearch"), "completion", "fish"}).code, 2);
}

// Labels from the spec and from `submit --label`; `list` filters by label and status;
// `version` names the server's version too.
TEST_F(ServerE2E, LabelsAndStatusFilterTheSweepListAndVersionNamesTheServer) {
  ServerProcess server(dir_ / "labels.db", {"--workers", "0"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string spec = WriteSpec("l.yaml", std::string(kFastSpec) + "labels: {team: vision, stage: dev}\n");
  const std::string a = Json(server.Cli({"submit", spec, "--name", "a", "-o", "json"}))["id"];
  const std::string b = Json(
      server.Cli({"submit", spec, "--name", "b", "--label", "team=nlp", "--label", "owner=kim", "-o", "json"}))["id"];
  const std::string c =
      Json(server.Cli({"submit", WriteSpec("plain.yaml", kFastSpec), "--name", "c", "-o", "json"}))["id"];
  EXPECT_EQ(server.Cli({"cancel", c}).code, 0);
  auto ids = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"list", "-o", "json"});
    std::vector<std::string> out;
    for (const auto& s : Json(server.Cli(args))) out.push_back(s["id"]);
    return out;
  };
  EXPECT_EQ(ids({"-l", "team=vision"}), std::vector<std::string>{a});
  EXPECT_EQ(ids({"-l", "team=nlp", "-l", "owner=kim"}), std::vector<std::string>{b});
  EXPECT_EQ(ids({"-l", "stage=dev"}), (std::vector<std::string>{b, a}));  // newest first
  EXPECT_EQ(ids({"--status", "cancelled"}), std::vector<std::string>{c});
  EXPECT_EQ(ids({"--status", "running", "--limit", "1"}), std::vector<std::string>{b});
  EXPECT_EQ(Json(server.Cli({"status", a, "-o", "json"}))["labels"]["team"], "vision");
  // The table shows them, the objective's name beside BEST, and `status` how it searches.
  const Result table = server.Cli({"list"});
  EXPECT_THAT(table.out, HasSubstr("  max val_accuracy  "));
  EXPECT_THAT(table.out, HasSubstr("  LABELS\n"));
  EXPECT_THAT(table.out, HasSubstr("owner=kim, stage=dev, team=nlp\n"));
  const Result status = server.Cli({"status", b});
  EXPECT_THAT(status.out,
              HasSubstr("\nsearch:    grid\ntrains:    dataset iris\nlabels:    owner=kim, stage=dev, team=nlp\n"));
  EXPECT_EQ(server.Cli({"list", "-l", "team=none"}).out, "no sweeps match\n");
  Result r = server.Cli({"list", "--status", "runing"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("(did you mean 'running'?)"));
  r = server.Cli({"submit", spec, "--label", "Bad Key=x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("labels.Bad Key: a label name is"));
  r = server.Cli({"version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, ::testing::MatchesRegex("hpsearch [0-9.]+\nserver [0-9.]+ at 127\\.0\\.0\\.1:[0-9]+ \\(database "
                                             "schema v[0-9]+, 0 embedded worker slots\\)\n"));
}

TEST_F(ServerE2E, WatchOnATerminalDrawsAProgressLine) {
  ServerProcess server(dir_ / "tty.db", {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("fast.yaml", kFastSpec), "-o", "json"}))["id"];
  // `script` gives the CLI a pseudo-terminal, as a user's shell would.
  const Result r = RunProcess(
      {"/usr/bin/script", "-qefc", Bin("hpsearch") + " --server " + server.address() + " watch " + id, "/dev/null"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("\r\033[K"));  // redrawn in place
  EXPECT_THAT(r.out, HasSubstr("trials/min"));
  EXPECT_THAT(r.out, HasSubstr("8/8"));
  EXPECT_THAT(r.out, HasSubstr("new best: trial"));
  EXPECT_THAT(r.out, HasSubstr(id + " completed; best val_accuracy (maximize)"));
}

TEST_F(ServerE2E, AHundredWatchStreamsWhileTraining) {
  ServerProcess server(dir_ / "watch.db", {"--workers", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("slow.yaml", kSlowSpec), "-o", "json"}))["id"];
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  auto stub = v1::SweepService::NewStub(channel);
  constexpr int kStreams = 100;
  std::atomic<int> ended{0}, with_events{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kStreams; ++i) {
    threads.emplace_back([&] {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
      v1::WatchSweepRequest req;
      req.set_sweep(id);
      auto reader = stub->WatchSweep(&ctx, req);
      v1::SweepEvent e;
      int n = 0;
      v1::SweepStatus last = v1::SWEEP_STATUS_UNSPECIFIED;
      while (reader->Read(&e)) {
        ++n;
        last = e.sweep().status();
      }
      if (reader->Finish().ok() && last == v1::SWEEP_COMPLETED) ++ended;
      if (n > 2) ++with_events;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ended.load(), kStreams);
  EXPECT_EQ(with_events.load(), kStreams);
  const json status = Json(server.Cli({"status", id, "-o", "json"}));
  EXPECT_EQ(status["counts"]["completed"], 10);
}

}  // namespace
}  // namespace hpsearch::testing
