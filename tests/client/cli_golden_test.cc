// Every CLI command and output format against a fake SweepService with fixed data:
// outputs are compared with tests/client/golden/*. Regenerate after an intended
// change with HPSEARCH_UPDATE_GOLDEN=1 (then review the diff).
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "client/commands/commands.h"
#include "client/views.h"
#include "hpsearch/v1/sweep_service.grpc.pb.h"
#include "proto/convert/spec_convert.h"
#include "search/spec_file.h"

namespace hpsearch::client {
namespace {

namespace v1 = hpsearch::v1;

v1::Trial MakeTrial(int64_t index, double lr, const std::string& opt, double acc, v1::TrialStatus status) {
  v1::Trial t;
  t.set_sweep_id("s-000007");
  t.set_index(index);
  t.set_status(status);
  (*t.mutable_params())["lr"].set_number_value(lr);
  (*t.mutable_params())["optimizer"].set_string_value(opt);
  (*t.mutable_params())["epochs"].set_number_value(5);
  auto* hidden = (*t.mutable_params())["hidden"].mutable_list_value();
  hidden->add_values()->set_number_value(64);
  hidden->add_values()->set_number_value(32);
  t.set_seed(1000 + index);
  t.set_attempt(1);
  t.set_worker("embedded-" + std::to_string(index % 2));
  t.set_created_ms(1795467000000);
  t.set_started_ms(1795467000000 + index * 1000);
  if (status == v1::COMPLETED) {
    t.set_objective(acc);
    (*t.mutable_metrics())["val_accuracy"] = acc;
    (*t.mutable_metrics())["val_loss"] = 1 - acc;
    (*t.mutable_metrics())["test_accuracy"] = acc - 0.0125;
    t.set_finished_ms(t.started_ms() + 2500);
    t.set_parameter_count(52650);
  } else if (status == v1::FAILED) {
    t.set_failure_reason("diverged at epoch 2, step 17: loss is nan");
    t.set_finished_ms(t.started_ms() + 700);
  } else if (status == v1::PRUNED) {
    // Stopped at epoch 2: its metrics are that epoch's, its size known from epoch 1.
    (*t.mutable_metrics())["val_accuracy"] = acc;
    (*t.mutable_metrics())["val_loss"] = 1 - acc;
    t.set_failure_reason("pruned at epoch 2 by asha");
    t.set_finished_ms(t.started_ms() + 1200);
    t.set_parameter_count(52650);
  }
  if (status != v1::PENDING && status != v1::FAILED) t.set_epochs_run(status == v1::PRUNED ? 2 : 5);
  return t;
}

v1::Sweep MakeSweep() {
  v1::Sweep s;
  s.set_id("s-000007");
  s.set_name("demo, \"quoted\"");
  *s.mutable_spec() = convert::ToProto(*ParseSpecYaml(
      "name: demo\ndataset: {name: digits}\nobjective: {metric: val_accuracy, goal: maximize}\n"
      "fixed: {epochs: 5, hidden: [64, 32]}\n"
      "parameters:\n  lr: {min: 0.001, max: 5, scale: log}\n  optimizer: {values: [adam, sgd, rmsprop]}\n"));
  s.set_status(v1::SWEEP_COMPLETED);
  s.set_status_reason("target val_accuracy 0.95 reached by trial 2 (0.9625)");
  s.set_total_trials(4);
  s.mutable_counts()->set_completed(2);
  s.mutable_counts()->set_failed(1);
  s.mutable_counts()->set_pruned(1);
  s.set_objective_metric("val_accuracy");
  s.set_maximize(true);
  s.set_best_objective(0.9625);
  s.set_best_trial(2);
  s.set_created_ms(1795467000000);
  s.set_finished_ms(1795467065000);
  return s;
}

// Serves the fixed sweep "s-000007" (also by name "demo").
class FakeSweeps final : public v1::SweepService::Service {
 public:
  FakeSweeps() {
    trials_ = {MakeTrial(0, 0.01, "adam", 0.93125, v1::COMPLETED), MakeTrial(1, 3.5, "sgd", 0, v1::FAILED),
               MakeTrial(2, 0.003, "rmsprop", 0.9625, v1::COMPLETED), MakeTrial(3, 0.2, "sgd", 0.41, v1::PRUNED)};
    auto* e = trials_[2].add_epochs();
    for (int i = 1; i <= 5; ++i) {
      e = i == 1 ? e : trials_[2].add_epochs();
      e->set_epoch(i);
      (*e->mutable_metrics())["train_loss"] = 1.0 / i;
      (*e->mutable_metrics())["val_accuracy"] = 0.8 + 0.0325 * i;
      e->set_lr(0.003);
      e->set_seconds(0.5);
    }
    auto* d = trials_[2].add_diagnostics();
    d->set_epoch(0);
    d->add_mean(0.25);
    d->add_std(0.5);
    auto* a = trials_[2].add_attempts();
    a->set_attempt(1);
    a->set_worker("embedded-0");
    a->set_started_ms(1795467002000);
    a->set_finished_ms(1795467004500);
    a->set_outcome("completed");
    a->set_seed(trials_[2].seed());
  }

  grpc::Status Find(const std::string& sweep) {
    if (sweep == "disk-full") {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "database /data/hpsearch.db: database or disk is full");
    }
    if (sweep == "s-000007" || sweep == "demo" || sweep == "stopping") return grpc::Status::OK;
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "sweep '" + sweep + "' not found");
  }
  grpc::Status SubmitSweep(grpc::ServerContext*, const v1::SubmitSweepRequest* req, v1::Sweep* resp) override {
    if (req->spec().dataset().name() == "nope") {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "dataset.name: unknown dataset 'nope'");
    }
    *resp = MakeSweep();
    resp->set_status(v1::SWEEP_RUNNING);
    return grpc::Status::OK;
  }
  grpc::Status GetSweep(grpc::ServerContext*, const v1::GetSweepRequest* req, v1::Sweep* resp) override {
    if (auto st = Find(req->sweep()); !st.ok()) return st;
    *resp = MakeSweep();
    if (req->sweep() == "stopping") {
      // Stopped with one trial done, one running, and two it will never start.
      resp->set_status(v1::SWEEP_STOPPING);
      resp->set_status_reason("stopped by request");
      resp->set_finished_ms(0);
      resp->set_created_ms(NowMs() - 10'000);
      resp->clear_counts();
      resp->mutable_counts()->set_completed(1);
      resp->mutable_counts()->set_running(1);
      resp->mutable_counts()->set_not_started(2);
    }
    return grpc::Status::OK;
  }
  grpc::Status ListSweeps(grpc::ServerContext*, const v1::ListSweepsRequest*, v1::ListSweepsResponse* resp) override {
    *resp->add_sweeps() = MakeSweep();
    resp->mutable_sweeps(0)->set_created_ms(0);  // "CREATED" is relative to now: keep it out of the golden
    return grpc::Status::OK;
  }
  grpc::Status CancelSweep(grpc::ServerContext*, const v1::CancelSweepRequest* req, v1::Sweep*) override {
    if (auto st = Find(req->sweep()); !st.ok()) return st;
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "sweep s-000007 has already finished (SWEEP_COMPLETED)");
  }
  grpc::Status ListTrials(grpc::ServerContext*, const v1::ListTrialsRequest* req,
                          v1::ListTrialsResponse* resp) override {
    if (auto st = Find(req->sweep()); !st.ok()) return st;
    for (const auto& t : trials_) {
      if (req->status() == v1::TRIAL_STATUS_UNSPECIFIED || req->status() == t.status()) {
        v1::Trial row = t;
        row.clear_epochs();
        row.clear_diagnostics();
        row.clear_attempts();
        *resp->add_trials() = row;
      }
    }
    resp->set_total(resp->trials_size());
    return grpc::Status::OK;
  }
  grpc::Status GetTrial(grpc::ServerContext*, const v1::GetTrialRequest* req, v1::Trial* resp) override {
    if (auto st = Find(req->sweep()); !st.ok()) return st;
    if (req->index() < 0 || req->index() >= static_cast<int64_t>(trials_.size())) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "sweep s-000007 has no trial " + std::to_string(req->index()));
    }
    *resp = trials_[req->index()];
    return grpc::Status::OK;
  }
  grpc::Status GetBestTrials(grpc::ServerContext*, const v1::GetBestTrialsRequest* req,
                             v1::GetBestTrialsResponse* resp) override {
    if (auto st = Find(req->sweep()); !st.ok()) return st;
    for (int i : {2, 0}) {
      v1::Trial row = trials_[i];
      row.clear_epochs();
      row.clear_diagnostics();
      row.clear_attempts();
      *resp->add_trials() = row;
    }
    return grpc::Status::OK;
  }
  grpc::Status WatchSweep(grpc::ServerContext*, const v1::WatchSweepRequest* req,
                          grpc::ServerWriter<v1::SweepEvent>* writer) override {
    if (auto st = Find(req->sweep()); !st.ok()) return st;
    v1::Sweep s = MakeSweep();
    s.set_status(v1::SWEEP_RUNNING);
    s.clear_status_reason();
    s.mutable_counts()->set_completed(0);
    s.mutable_counts()->set_failed(0);
    s.mutable_counts()->set_cancelled(0);
    s.mutable_counts()->set_pruned(0);
    s.mutable_counts()->set_pending(4);
    s.clear_best_objective();
    s.set_best_trial(-1);
    v1::SweepEvent e;
    e.set_time_ms(1);
    *e.mutable_sweep() = s;
    writer->Write(e);
    s.clear_spec();
    s.mutable_counts()->set_pending(3);
    s.mutable_counts()->set_running(1);
    e.set_time_ms(2);
    *e.mutable_sweep() = s;
    *e.mutable_trial() = trials_[1];
    e.mutable_trial()->set_status(v1::RUNNING);
    e.mutable_trial()->clear_failure_reason();
    e.mutable_trial()->set_finished_ms(0);
    writer->Write(e);
    s.mutable_counts()->set_running(0);
    s.mutable_counts()->set_failed(1);
    e.set_time_ms(3);
    *e.mutable_sweep() = s;
    *e.mutable_trial() = trials_[1];
    writer->Write(e);
    s.set_status(req->sweep() == "demo" ? v1::SWEEP_FAILED : v1::SWEEP_COMPLETED);
    s.set_status_reason(req->sweep() == "demo" ? "every trial failed; last: diverged" : "");
    s.mutable_counts()->set_pending(0);
    s.mutable_counts()->set_cancelled(3);
    e.clear_trial();
    e.set_time_ms(4);
    *e.mutable_sweep() = s;
    writer->Write(e);
    return grpc::Status::OK;
  }

 private:
  std::vector<v1::Trial> trials_;
};

class CliGolden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    grpc::EnableDefaultHealthCheckService(true);
    service_ = new FakeSweeps;
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    b.RegisterService(service_);
    server_ = b.BuildAndStart().release();
  }
  static void TearDownTestSuite() {
    server_->Shutdown();
    delete server_;
    delete service_;
  }

  GlobalOptions Options(const std::string& output) {
    GlobalOptions g;
    g.server = "127.0.0.1:" + std::to_string(port_);
    g.format = *ParseOutputFormat(output);
    g.timeout_seconds = 5;
    return g;
  }

  // Runs `fn` and checks stdout against golden/<name> and the exit code.
  void Golden(const std::string& name, int code,
              const std::function<int(Connection&, std::ostream&, std::ostream&)>& fn,
              const std::string& output = "table") {
    Connection c(Options(output));
    std::ostringstream out, err;
    EXPECT_EQ(fn(c, out, err), code) << name << ": " << err.str();
    const std::string path = std::string(HPSEARCH_SOURCE_DIR) + "/tests/client/golden/" + name;
    if (std::getenv("HPSEARCH_UPDATE_GOLDEN")) {
      std::ofstream(path) << out.str();
      return;
    }
    std::ifstream f(path);
    ASSERT_TRUE(f) << "missing golden file " << path << " (run with HPSEARCH_UPDATE_GOLDEN=1)";
    std::stringstream want;
    want << f.rdbuf();
    EXPECT_EQ(out.str(), want.str()) << "golden " << name << " differs";
  }

  static inline FakeSweeps* service_ = nullptr;
  static inline grpc::Server* server_ = nullptr;
  static inline int port_ = 0;
};

TEST_F(CliGolden, List) {
  for (const char* o : {"table", "json", "csv"}) {
    Golden(
        std::string("list.") + o, 0,
        [](Connection& c, std::ostream& out, std::ostream& err) { return RunList(c, {}, out, err); }, o);
  }
}

TEST_F(CliGolden, Status) {
  for (const char* o : {"table", "json", "csv"}) {
    Golden(
        std::string("status.") + o, 0,
        [](Connection& c, std::ostream& out, std::ostream& err) { return RunStatus(c, "demo", out, err); }, o);
  }
}

TEST_F(CliGolden, Trials) {
  for (const char* o : {"table", "wide", "json", "csv"}) {
    Golden(
        std::string("trials.") + o, 0,
        [](Connection& c, std::ostream& out, std::ostream& err) {
          TrialsOptions t;
          t.sweep = "s-000007";
          return RunTrials(c, t, out, err);
        },
        o);
  }
}

TEST_F(CliGolden, Trial) {
  for (const char* o : {"table", "json", "csv"}) {
    Golden(
        std::string("trial.") + o, 0,
        [](Connection& c, std::ostream& out, std::ostream& err) {
          return RunTrial(c, {"demo", 2}, out, err);
        },
        o);
  }
}

TEST_F(CliGolden, Best) {
  for (const char* o : {"table", "json", "csv"}) {
    Golden(
        std::string("best.") + o, 0,
        [](Connection& c, std::ostream& out, std::ostream& err) {
          return RunBest(c, {"demo", 5, false}, out, err);
        },
        o);
  }
  // Every searched parameter is a column even where the rows agree; fixed settings on request.
  Golden("best.fixed", 0, [](Connection& c, std::ostream& out, std::ostream& err) {
    return RunBest(c, {"demo", 5, true}, out, err);
  });
}

TEST_F(CliGolden, Compare) {
  for (const char* o : {"table", "json", "csv"}) {
    Golden(
        std::string("compare.") + o, 0,
        [](Connection& c, std::ostream& out, std::ostream& err) {
          return RunCompare(c, {"demo", {0, 2}}, out, err);
        },
        o);
  }
  Connection c(Options("table"));
  std::ostringstream out, err;
  EXPECT_EQ(RunCompare(c, {"demo", {0}}, out, err), kExitUsage);
  EXPECT_EQ(RunCompare(c, {"demo", {0, 9}}, out, err), kExitServerError);
  EXPECT_THAT(err.str(), ::testing::HasSubstr("has no trial 9"));
}

TEST_F(CliGolden, Export) {
  for (const char* o : {"csv", "json"}) {
    Golden(
        std::string("export.") + o, 0,
        [](Connection& c, std::ostream& out, std::ostream& err) {
          return RunExport(c, {"demo", {}, ""}, out, err);
        },
        o);
  }
}

TEST_F(CliGolden, WatchEndsWithTheSweep) {
  Golden("watch.lines", 0,
         [](Connection& c, std::ostream& out, std::ostream& err) { return RunWatch(c, {"s-000007"}, out, err); });
  Golden("watch.starts", 0, [](Connection& c, std::ostream& out, std::ostream& err) {
    return RunWatch(c, {"s-000007", /*starts=*/true}, out, err);
  });
  Golden(
      "watch.json", 0,
      [](Connection& c, std::ostream& out, std::ostream& err) { return RunWatch(c, {"s-000007"}, out, err); }, "json");
  // The fake fails the sweep when it is watched by name: exit 5.
  Golden("watch.failed", kExitSweepFailed,
         [](Connection& c, std::ostream& out, std::ostream& err) { return RunWatch(c, {"demo"}, out, err); });
}

// A stopping sweep's never-started trials will not start: `status` does not say they
// are to come, and its ETA counts only what still runs (docs/cli.md, counts).
TEST_F(CliGolden, StatusOfAStoppingSweep) {
  {
    Connection c(Options("table"));
    std::ostringstream out, err;
    ASSERT_EQ(RunStatus(c, "stopping", out, err), kExitOk) << err.str();
    EXPECT_THAT(out.str(), ::testing::HasSubstr("stopping (stopped by request)"));
    EXPECT_THAT(out.str(), ::testing::HasSubstr("progress:  1/4 done, 2 will not start (the sweep is stopping)\n"));
    EXPECT_THAT(out.str(), ::testing::Not(::testing::HasSubstr("to come")));
  }
  Connection c(Options("json"));
  std::ostringstream out, err;
  ASSERT_EQ(RunStatus(c, "stopping", out, err), kExitOk) << err.str();
  const auto j = nlohmann::json::parse(out.str());
  const auto& k = j["counts"];
  EXPECT_EQ(k["pending"].get<int>() + k["running"].get<int>() + k["completed"].get<int>() + k["failed"].get<int>() +
                k["pruned"].get<int>() + k["cancelled"].get<int>() + k["not_started"].get<int>(),
            j["total"].get<int>());
  // One trial done, one running, none to come: as long again as it has run so far.
  EXPECT_DOUBLE_EQ(j["eta_seconds"].get<double>(), j["elapsed_seconds"].get<double>());
}

TEST_F(CliGolden, ExitCodesForEachFailureClass) {
  Connection c(Options("table"));
  std::ostringstream out, err;
  EXPECT_EQ(RunStatus(c, "missing", out, err), kExitServerError);
  EXPECT_EQ(err.str(), "error: sweep 'missing' not found\n");
  err.str("");
  EXPECT_EQ(RunCancel(c, "demo", false, out, err), kExitOk);
  EXPECT_THAT(out.str(), ::testing::HasSubstr("already finished (SWEEP_COMPLETED); nothing to cancel"));
  // A spec the server rejects: INVALID_ARGUMENT → 2, with the field path.
  const std::string spec = ::testing::TempDir() + "/nope.yaml";
  std::ofstream(spec) << "name: x\ndataset: {name: iris}\n";
  SubmitOptions s;
  s.spec_path = spec;
  err.str("");
  EXPECT_EQ(RunSubmit(c, s, out, err), kExitOk);
  // Health: SERVING → 0, NOT_SERVING → 4, nothing listening → 3.
  out.str("");
  EXPECT_EQ(RunHealth(c, out, err), kExitOk);
  EXPECT_EQ(out.str(), "SERVING\n");
  server_->GetHealthCheckService()->SetServingStatus(false);
  out.str("");
  EXPECT_EQ(RunHealth(c, out, err), kExitNotServing);
  EXPECT_EQ(out.str(), "NOT_SERVING\n");
  server_->GetHealthCheckService()->SetServingStatus(true);
  GlobalOptions nowhere = Options("table");
  nowhere.server = "127.0.0.1:1";
  nowhere.timeout_seconds = 1;
  Connection dead(nowhere);
  err.str("");
  EXPECT_EQ(RunHealth(dead, out, err), kExitUnreachable);
  EXPECT_THAT(err.str(), ::testing::StartsWith("error: cannot reach hpsearch-server at 127.0.0.1:1"));
  // Reachable, but its database cannot be written just now: transient (3), and said so.
  err.str("");
  EXPECT_EQ(RunStatus(c, "disk-full", out, err), kExitUnreachable);
  EXPECT_THAT(err.str(), ::testing::HasSubstr("cannot write its database now (database /data/hpsearch.db: "
                                              "database or disk is full); retry later"));
}

TEST_F(CliGolden, ServerSideInvalidArgumentExitsTwo) {
  Connection c(Options("table"));
  std::ostringstream out, err;
  // Passes local validation only if the dataset is known; "nope" is refused locally
  // (exit 2) before the server would refuse it the same way.
  const std::string spec = ::testing::TempDir() + "/bad.yaml";
  std::ofstream(spec) << "name: x\ndataset: {name: nope}\n";
  SubmitOptions s;
  s.spec_path = spec;
  EXPECT_EQ(RunSubmit(c, s, out, err), kExitUsage);
  EXPECT_THAT(err.str(), ::testing::HasSubstr("dataset.name"));
}

}  // namespace
}  // namespace hpsearch::client
