// The crash campaign: a real hpsearch-server (or hpsearch-worker) dies at one named
// fail point (HPSEARCH_FAILPOINTS, util/failpoint.h) in each of the scenarios below;
// the test restarts it on the same database and port, carries on as a client and a
// worker would (retrying what got no answer, with the same request ids), and checks
// that the sweep ends where it was heading and that `hpsearch-server --check-db`
// finds the database sound. Every fail point must be hit by at least one scenario.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "common/util/failpoint.h"
#include "hpsearch/v1/sweep_service.grpc.pb.h"
#include "hpsearch/v1/worker_service.grpc.pb.h"
#include "proto/convert/spec_convert.h"
#include "search/spec_file.h"
#include "tests/e2e/crash_cluster.h"
#include "tests/testing/e2e_fixture.h"
#include "tests/testing/process.h"

namespace hpsearch::testing {
namespace {

namespace v1 = hpsearch::v1;
using Clock = std::chrono::steady_clock;

// 6 tiny trials; trial i reports Objective(i) (trial 1 beats any target of 0.1).
const char* kSpec = R"(name: fp
dataset: {name: xor, samples: 200}
objective: {metric: val_loss, goal: minimize}
method: grid
fixed: {epochs: 2, hidden: [4]}
parameters:
  lr: {values: [0.1, 0.03, 0.01]}
  optimizer: {values: [sgd, adam]}
)";

struct Scenario {
  std::string name;
  std::string spec = kSpec;
  std::vector<std::string> flags = {"--workers", "0", "--lease-seconds", "5"};
  // Drives the sweep as users and workers do; the rest is finished by `fails`.
  std::function<void(Cluster& c, const std::string& sweep)> drive = [](Cluster&, const std::string&) {};
  std::function<bool(int64_t index)> fails = [](int64_t) { return false; };
  v1::SweepStatus expect = v1::SWEEP_COMPLETED;
  std::string reason;           // the final reason contains this
  int64_t max_rows = 6;         // trials that may ever have started
  bool scripted = true;         // false: the server's own slots, or a worker process, run the trials
  bool worker_process = false;  // a real hpsearch-worker runs them (armed with slot.* points)
  int64_t finish_after_ms = 0;  // the finishing worker starts this long after the submit
};

grpc::Status Cancel(Cluster& c, const std::string& sweep, bool graceful) {
  v1::CancelSweepRequest req;
  req.set_sweep(sweep);
  req.set_graceful(graceful);
  v1::Sweep resp;
  return c.Retry([&](grpc::ClientContext* ctx) { return c.sweeps().CancelSweep(ctx, req, &resp); });
}

grpc::Status Extend(Cluster& c, const std::string& sweep, int64_t trials) {
  v1::ExtendSweepRequest req;
  req.set_sweep(sweep);
  req.set_trials(trials);
  v1::Sweep resp;
  return c.Retry([&](grpc::ClientContext* ctx) { return c.sweeps().ExtendSweep(ctx, req, &resp); });
}

grpc::Status RetryFailed(Cluster& c, const std::string& sweep) {
  v1::RetryTrialsRequest req;
  req.set_sweep(sweep);
  req.set_failed(true);
  v1::RetryTrialsResponse resp;
  return c.Retry([&](grpc::ClientContext* ctx) { return c.sweeps().RetryTrials(ctx, req, &resp); });
}

std::vector<Scenario> Scenarios() {
  std::vector<Scenario> all;
  {
    Scenario s;
    s.name = "DeletedRetriedAndExtended";
    // A finished sweep is deleted; the capped grid under test finishes with a failed
    // trial, which is retried, and is then extended by two grid points. Retrying a
    // retry or a delete changes nothing; a retried extend may add its points twice
    // (the whole grid is 6).
    s.spec = std::string(kSpec) + "budget: {max_trials: 2}\n";
    s.drive = [](Cluster& c, const std::string& sweep) {
      v1::SubmitSweepRequest submit;
      *submit.mutable_spec() = convert::ToProto(*client::ParseSpecYaml(
          "name: fp-deleted\ndataset: {name: xor, samples: 200}\nmethod: random\nbudget: {max_trials: 1}\n"
          "fixed: {epochs: 2, hidden: [4]}\nparameters:\n  lr: {values: [0.1]}\n"));
      submit.set_request_id("submit-deleted");
      v1::Sweep other;
      ASSERT_TRUE(c.Retry([&](grpc::ClientContext* ctx) { return c.sweeps().SubmitSweep(ctx, submit, &other); }).ok());
      Worker a(c, "w-a");
      for (int i = 0; i < 3; ++i) {  // the grid's 2 trials and the other sweep's 1, in any order
        auto l = a.Acquire();
        ASSERT_TRUE(l.has_value());
        if (l->key().sweep_id() == sweep && l->key().index() == 0) {
          EXPECT_TRUE(a.Fail(*l, true).ok());
        } else {
          EXPECT_TRUE(a.Complete(*l).ok());
        }
      }
      v1::DeleteSweepRequest del;
      del.set_sweep(other.id());
      v1::Sweep gone;
      const grpc::Status deleted =
          c.Retry([&](grpc::ClientContext* ctx) { return c.sweeps().DeleteSweep(ctx, del, &gone); });
      EXPECT_TRUE(deleted.ok() || deleted.error_code() == grpc::StatusCode::NOT_FOUND) << deleted.error_message();
      EXPECT_TRUE(RetryFailed(c, sweep).ok());
      EXPECT_TRUE(Extend(c, sweep, 2).ok());
    };
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "RunToTheEnd";
    s.drive = [](Cluster& c, const std::string&) {
      Worker w(c, "w-a");
      auto a = w.Acquire();
      ASSERT_TRUE(a.has_value());
      ASSERT_TRUE(w.Report(*a, 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the next report flushes the curve
      ASSERT_TRUE(w.Report(*a, 2));
      EXPECT_TRUE(w.Complete(*a).ok());
    };
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "RunToTheEndOnEmbeddedSlots";
    // Trials long enough (~0.3 s) that a kill lands in the middle of one.
    s.spec = R"(name: fp-embedded
dataset: {name: digits, validation: 0.2}
objective: {metric: val_loss, goal: minimize}
method: grid
fixed: {epochs: 16, hidden: [128]}
parameters:
  lr: {values: [0.1, 0.03, 0.01]}
  optimizer: {values: [sgd, adam]}
)";
    s.flags = {"--workers", "1"};
    s.scripted = false;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "Pruned";
    // Trial 0 completes; every later one but trial 1 reports worse at epoch 1 than the
    // median and is pruned (the finisher's report gets the stop).
    s.spec = R"(name: fp-pruned
dataset: {name: xor, samples: 200}
objective: {metric: val_loss, goal: minimize}
method: grid
pruning: {method: median, startup_trials: 1, warmup_epochs: 0}
fixed: {epochs: 2, hidden: [4]}
parameters:
  lr: {values: [0.1, 0.03, 0.01]}
  optimizer: {values: [sgd, adam]}
)";
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "SearchSpaceExhausted";
    // One distinct configuration: the random search ends after its first trial.
    s.spec = R"(name: one
dataset: {name: xor, samples: 200}
objective: {metric: val_loss, goal: minimize}
method: random
budget: {max_trials: 5}
fixed: {epochs: 2, hidden: [4]}
parameters:
  dropout: {min: 0.1, max: 0.1}
)";
    s.drive = [](Cluster& c, const std::string&) {
      Worker w(c, "w-a");
      auto a = w.Acquire();
      ASSERT_TRUE(a.has_value());
      EXPECT_TRUE(w.Complete(*a).ok());
      EXPECT_FALSE(w.Acquire().has_value());  // nothing more: the sweep ends
    };
    s.reason = "exhausted";
    s.max_rows = 1;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "RunToTheEndOnAWorkerProcess";
    s.flags = {"--workers", "0", "--lease-seconds", "1"};
    s.scripted = false;
    s.worker_process = true;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "CancelledMidway";
    s.drive = [](Cluster& c, const std::string& sweep) {
      Worker a(c, "w-a"), b(c, "w-b"), d(c, "w-c");
      auto la = a.Acquire(), lb = b.Acquire(), lc = d.Acquire();
      ASSERT_TRUE(la && lb && lc);
      EXPECT_TRUE(a.Complete(*la).ok());
      const grpc::Status st = Cancel(c, sweep, false);
      EXPECT_TRUE(st.ok() || st.error_code() == grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
      EXPECT_FALSE(b.Complete(*lb).ok());  // its trial was cancelled
    };
    s.expect = v1::SWEEP_CANCELLED;
    s.reason = "cancelled by request";
    s.max_rows = 3;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "StoppedMidway";
    s.drive = [](Cluster& c, const std::string& sweep) {
      Worker a(c, "w-a"), b(c, "w-b");
      auto la = a.Acquire(), lb = b.Acquire();
      ASSERT_TRUE(la && lb);
      EXPECT_TRUE(Cancel(c, sweep, true).ok());
      EXPECT_TRUE(a.Report(*la, 1));
      EXPECT_TRUE(a.Complete(*la).ok());
      EXPECT_TRUE(b.Complete(*lb).ok());
    };
    s.expect = v1::SWEEP_CANCELLED;
    s.reason = "stopped by request";
    s.max_rows = 2;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "EndedByTarget";
    s.spec = std::string(kSpec) + "objective: {metric: val_loss, goal: minimize, target: 0.1}\n";
    s.drive = [](Cluster& c, const std::string&) {
      Worker a(c, "w-a"), b(c, "w-b"), d(c, "w-c");
      auto la = a.Acquire(), lb = b.Acquire(), lc = d.Acquire();
      ASSERT_TRUE(la && lb && lc);
      EXPECT_TRUE(a.Complete(*la).ok());
      EXPECT_TRUE(b.Complete(*lb).ok());  // trial 1 reaches the target
      EXPECT_FALSE(d.Report(*lc, 1));     // the rest stop
    };
    s.reason = "target val_loss 0.1 reached by trial 1";
    s.max_rows = 3;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "EndedByMaxFailed";
    s.spec = std::string(kSpec) + "budget: {max_failed: 2}\n";
    s.drive = [](Cluster& c, const std::string&) {
      Worker a(c, "w-a"), b(c, "w-b"), d(c, "w-c");
      auto la = a.Acquire(), lb = b.Acquire(), lc = d.Acquire();
      ASSERT_TRUE(la && lb && lc);
      EXPECT_TRUE(a.Fail(*la, true).ok());
      EXPECT_TRUE(b.Fail(*lb, true).ok());
      EXPECT_FALSE(d.Report(*lc, 1));
    };
    s.fails = [](int64_t index) { return index < 2; };
    s.expect = v1::SWEEP_FAILED;
    s.reason = "budget.max_failed is 2";
    s.max_rows = 3;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "AWorkersLeaseLost";
    s.flags = {"--workers", "0", "--lease-seconds", "0.5"};
    s.drive = [](Cluster& c, const std::string&) {
      Worker dead(c, "w-dead"), leaving(c, "w-leaving"), b(c, "w-b");
      ASSERT_TRUE(dead.Acquire().has_value());  // never heard from again
      auto l = leaving.Acquire();
      ASSERT_TRUE(l.has_value());
      EXPECT_TRUE(leaving.Fail(*l, false).ok());  // handed back
      auto lb = b.Acquire();
      ASSERT_TRUE(lb.has_value());
      EXPECT_TRUE(b.Complete(*lb).ok());
    };
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "EndedByMaxDuration";
    s.spec = std::string(kSpec) + "budget: {max_duration: 3s}\n";
    s.drive = [](Cluster& c, const std::string&) {
      const auto start = Clock::now();
      Worker a(c, "w-a"), b(c, "w-b");
      auto la = a.Acquire();
      ASSERT_TRUE(la.has_value());
      EXPECT_TRUE(a.Complete(*la).ok());
      auto lb = b.Acquire();
      ASSERT_TRUE(lb.has_value());
      std::this_thread::sleep_until(start + std::chrono::milliseconds(3200));
      b.Report(*lb, 1);  // told to stop (or the server noticed first)
    };
    s.reason = "max_duration of 3s reached";
    s.max_rows = 2;
    s.finish_after_ms = 3300;
    all.push_back(s);
  }
  return all;
}

bool WorkerPoint(const std::string& point) { return point.rfind("slot.", 0) == 0; }

class FailPoint : public E2ETest, public ::testing::WithParamInterface<std::string> {
 protected:
  FailPoint() : E2ETest("fp-" + GetParam()) {}

  // Runs one scenario with the point armed; returns how many times a process died.
  int Run(const Scenario& sc) {
    SCOPED_TRACE(sc.name);
    const std::string& point = GetParam();
    const bool on_worker = sc.worker_process && WorkerPoint(point);
    // Recovery's points are armed in the life after a kill -9 (below).
    const bool in_recovery = point.rfind("scheduler.recover.", 0) == 0;
    const std::string db = dir_ / (sc.name + ".db");
    Cluster c(db, sc.flags, on_worker || in_recovery ? "" : point);
    EXPECT_TRUE(c.started()) << c.server().log();
    if (!c.started()) return 0;
    Process worker;
    int worker_deaths = 0;
    auto start_worker = [&](bool armed) {
      worker.Start({Bin("hpsearch-worker"), "--server", c.server().address(), "--slots", "1", "--id", "wp"},
                   dir_ / (sc.name + ".worker.log." + std::to_string(worker_deaths)),
                   armed ? std::vector<std::string>{"HPSEARCH_FAILPOINTS=" + point} : std::vector<std::string>{});
    };
    if (sc.worker_process) start_worker(on_worker);

    v1::SubmitSweepRequest submit;
    *submit.mutable_spec() = convert::ToProto(*client::ParseSpecYaml(sc.spec));
    submit.set_request_id("submit-1");
    v1::Sweep sweep;
    const auto submitted = Clock::now();
    const grpc::Status st =
        c.Retry([&](grpc::ClientContext* ctx) { return c.sweeps().SubmitSweep(ctx, submit, &sweep); });
    EXPECT_TRUE(st.ok()) << st.error_message();
    if (!st.ok()) return c.crashes();
    sc.drive(c, sweep.id());
    if (in_recovery) {
      // kill -9 wherever the scenario stands (mid-trial for the embedded one), then
      // a restart that dies inside recovery.
      for (int i = 0; i < 200 && !sc.scripted; ++i) {  // until a trial is running on a slot
        v1::GetSweepRequest get;
        get.set_sweep(sweep.id());
        v1::Sweep now;
        (void)c.Retry([&](grpc::ClientContext* ctx) { return c.sweeps().GetSweep(ctx, get, &now); });
        if (now.counts().running() > 0 && now.counts().completed() > 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      c.server().Kill(SIGKILL);
      c.server().SetNextEnv({"HPSEARCH_FAILPOINTS=" + point});
      c.Revive();
    }
    std::this_thread::sleep_until(submitted + std::chrono::milliseconds(sc.finish_after_ms));

    // Whatever is left runs to its end.
    Worker finisher(c, "w-finisher");
    v1::Sweep now;
    const auto until = Clock::now() + std::chrono::seconds(90);
    while (Clock::now() < until) {
      v1::GetSweepRequest get;
      get.set_sweep(sweep.id());
      EXPECT_TRUE(c.Retry([&](grpc::ClientContext* ctx) { return c.sweeps().GetSweep(ctx, get, &now); }).ok());
      if (Terminal(now.status())) break;
      if (sc.worker_process && worker.Wait(std::chrono::milliseconds(0)) >= 0) {
        ++worker_deaths;
        start_worker(false);
      }
      if (!sc.scripted) {
        c.Revive();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      auto l = finisher.Acquire();
      if (!l) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // leases of gone workers run out
        continue;
      }
      if (!finisher.Report(*l, 1)) continue;
      const grpc::Status done = sc.fails(l->key().index()) ? finisher.Fail(*l, true) : finisher.Complete(*l);
      EXPECT_TRUE(done.ok() || done.error_code() == grpc::StatusCode::FAILED_PRECONDITION) << done.error_message();
    }
    EXPECT_EQ(now.status(), sc.expect) << now.status_reason() << "\n" << c.server().logs();
    EXPECT_THAT(now.status_reason(), ::testing::HasSubstr(sc.reason));
    EXPECT_EQ(now.counts().pending() + now.counts().running(), 0);
    v1::ListTrialsRequest list;
    list.set_sweep(sweep.id());
    list.set_page_size(1000);
    v1::ListTrialsResponse trials;
    EXPECT_TRUE(c.Retry([&](grpc::ClientContext* ctx) { return c.sweeps().ListTrials(ctx, list, &trials); }).ok());
    EXPECT_LE(trials.trials_size(), sc.max_rows) << "trials started after the sweep was ending";
    for (const auto& t : trials.trials()) {
      if (t.status() == v1::COMPLETED && sc.scripted) {
        EXPECT_EQ(t.objective(), Objective(t.index()));
      }
    }
    if (sc.worker_process) {
      worker.Kill(SIGTERM);
      worker.Wait(std::chrono::seconds(15));
    }
    c.Stop();
    ExpectSound(db);
    // The kill -9 of the recovery case is the test's, not the point's.
    return c.crashes() + worker_deaths - (in_recovery ? 1 : 0);
  }
};

// The scenarios run side by side, each with its own server, database and port: most of
// a scenario's time is spent waiting (for a lease to lapse, a duration budget to run
// out, a restart), so together they take about as long as the longest alone.
TEST_P(FailPoint, EveryScenarioEndsWhereItWasHeadingWithASoundDatabase) {
  const std::vector<Scenario> scenarios = Scenarios();
  std::vector<int> died(scenarios.size(), 0);
  {
    std::vector<std::jthread> runs;
    for (size_t i = 0; i < scenarios.size(); ++i) {
      runs.emplace_back([&, i] { died[i] = Run(scenarios[i]); });
    }
  }
  int hits = 0;
  std::string where;
  for (size_t i = 0; i < scenarios.size(); ++i) {
    hits += died[i];
    if (died[i] > 0) where += scenarios[i].name + " ";
  }
  RecordProperty("hit_in", where);
  std::printf("fail point %s: hit in %s\n", GetParam().c_str(), where.empty() ? "no scenario" : where.c_str());
  EXPECT_GT(hits, 0) << "no scenario reaches fail point " << GetParam();
}

std::vector<std::string> AllPoints() {
  std::vector<std::string> names;
  for (auto n : failpoint::Names()) names.emplace_back(n);
  return names;
}

INSTANTIATE_TEST_SUITE_P(All, FailPoint, ::testing::ValuesIn(AllPoints()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& ch : name) {
                             if (ch == '.') ch = '_';
                           }
                           return name;
                         });

TEST(FailPoints, TheServerListsEveryPointAndRefusesUnknownOnes) {
  const Result list = RunProcess({Bin("hpsearch-server"), "--list-failpoints"});
  EXPECT_EQ(list.code, 0);
  std::string expected;
  for (const auto& n : AllPoints()) expected += n + "\n";
  EXPECT_EQ(list.out, expected);
  const Result worker = RunProcess({Bin("hpsearch-worker"), "--list-failpoints"});
  EXPECT_EQ(worker.out, expected);
  TempDir dir("fp-bad");
  Process server;
  ASSERT_TRUE(server.Start({Bin("hpsearch-server"), "--listen", "127.0.0.1:0", "--db", dir / "x.db"}, dir / "log",
                           {"HPSEARCH_FAILPOINTS=scheduler.complete.after_comit"}));
  EXPECT_EQ(server.Wait(std::chrono::seconds(10)), 2);
  EXPECT_THAT(server.log(), ::testing::HasSubstr("unknown fail point 'scheduler.complete.after_comit' (did you mean "
                                                 "'scheduler.complete.after_commit'?)"));
}

// Every fail point named in the sources (outside the list itself) is listed, and
// every listed point is named somewhere: the list cannot drift from the code.
TEST(FailPoints, TheListMatchesTheSources) {
  std::set<std::string> used;
  for (const char* top : {"server", "worker"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(Source(top))) {
      const auto ext = entry.path().extension();
      if ((ext != ".cc" && ext != ".h") || entry.path().filename() == "failpoint.cc") continue;
      const std::string text = ReadFile(entry.path().string());
      for (const std::string prefix : {"\"scheduler.", "\"slot."}) {
        for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
          const size_t end = text.find('"', at + 1);
          const std::string name = text.substr(at + 1, end - at - 1);
          if (name.find(".before_") != std::string::npos || name.find(".after_") != std::string::npos) {
            used.insert(name);
          }
        }
      }
    }
  }
  std::set<std::string> listed;
  for (const auto& n : AllPoints()) listed.insert(n);
  EXPECT_EQ(used, listed);
}

}  // namespace
}  // namespace hpsearch::testing
