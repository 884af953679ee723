// The server against hostile inputs a real process must survive (issue: bounded
// inputs): a tiny grid spec describing 10^21 points, a worker flooding a report with
// metrics or numbers out of range, and a worker forging the next attempt of a trial
// whose lease it lost. Each talks to a real hpsearch-server on 127.0.0.1.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "hpsearch/v1/worker_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/testing/e2e_fixture.h"
#include "tests/testing/process.h"

namespace hpsearch::testing {
namespace {

using ::testing::HasSubstr;
namespace v1 = hpsearch::v1;

// Peak resident memory of a process (VmHWM), in bytes.
int64_t PeakBytes(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return 0;
}

class WorkerProtocol : public E2ETest {
 protected:
  WorkerProtocol() : E2ETest("worker-protocol") {}

  std::unique_ptr<v1::WorkerService::Stub> Stub(const ServerProcess& server) {
    return v1::WorkerService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  // A lease for `worker` (waiting for one to be pending).
  v1::Lease Acquire(v1::WorkerService::Stub& stub, const std::string& worker) {
    for (int i = 0; i < 200; ++i) {
      v1::AcquireTrialRequest req;
      req.set_worker_id(worker);
      v1::AcquireTrialResponse resp;
      auto st = stub.AcquireTrial(Ctx().get(), req, &resp);
      EXPECT_TRUE(st.ok()) << st.error_message();
      if (resp.has_lease()) return resp.lease();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no lease for " << worker;
    return {};
  }

  grpc::Status Complete(v1::WorkerService::Stub& stub, const v1::LeaseKey& key,
                        const std::map<std::string, double>& metrics) {
    v1::CompleteTrialRequest req;
    *req.mutable_key() = key;
    for (const auto& [k, v] : metrics) (*req.mutable_metrics())[k] = v;
    req.set_parameter_count(10);
    v1::CompleteTrialResponse resp;
    return stub.CompleteTrial(Ctx().get(), req, &resp);
  }
};

// The audit's 254-byte grid spec (three axes of 10^7 points) took the server from
// 28 MB to 1.6 GB, and a restart under a 1.5 GB limit crash-looped. Now it is
// accepted at once, held in kilobytes, and survives a kill -9 and restart.
TEST_F(WorkerProtocol, ATinySpecForAHugeGridHoldsNoMemory) {
  const std::string listen = "127.0.0.1:" + std::to_string(FreePort());
  const std::string db = dir_ / "grid.db";
  auto server = std::make_unique<ServerProcess>(db, std::vector<std::string>{"--workers", "0"}, listen);
  ASSERT_TRUE(server->Start()) << server->log();
  const int64_t before = ResidentBytes(server->pid());
  const std::string spec = WriteSpec("grid.yaml", R"(name: g
dataset: {name: iris}
method: grid
budget: {max_trials: 10}
parameters:
  l1: {min: 0, max: 0.5, step: 5.0e-8}
  l2: {min: 0, max: 0.5, step: 5.0e-8}
  dropout: {min: 0, max: 0.5, step: 5.0e-8}
)");
  const auto t0 = std::chrono::steady_clock::now();
  const Result r = server->Cli({"submit", spec, "-o", "json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_LT(PeakBytes(server->pid()) - before, 64 << 20) << "peak RSS grew by more than 64 MB";
  server->Kill(SIGKILL);
  server->Wait(std::chrono::seconds(10));
  server = std::make_unique<ServerProcess>(db, std::vector<std::string>{"--workers", "0"}, listen);
  ASSERT_TRUE(server->Start()) << server->log();
  EXPECT_EQ(Json(server->Cli({"status", "g", "-o", "json"}))["status"], "running");
  EXPECT_LT(PeakBytes(server->pid()), 256 << 20) << "after recovery";
}

// A worker's report is bounded: 150,000 metrics (3 MB), a 3,000,000-character
// name, epoch 2^31-1 of a 3-epoch trial, a negative lr, diagnostics for epoch -7 are
// each refused with INVALID_ARGUMENT naming the field, and the sweep's listings keep
// working (a stored flood made `trials` fail for good: "Sent message larger than max").
TEST_F(WorkerProtocol, ReportsAreBoundedFieldByField) {
  ServerProcess server(dir_ / "flood.db", {"--workers", "0"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("one.yaml", R"(name: one
dataset: {name: iris}
method: grid
fixed: {epochs: 3}
parameters:
  lr: {values: [0.1]}
)"),
                                          "-o", "json"}))["id"];
  auto stub = Stub(server);
  const v1::Lease lease = Acquire(*stub, "hostile");
  ASSERT_EQ(lease.key().lease_id().size(), 32u);

  std::map<std::string, double> flood = {{"val_accuracy", 0.9}};
  for (int i = 0; i < 150'000; ++i) flood[absl::StrCat("m", i)] = i;
  const int64_t before = PeakBytes(server.pid());
  grpc::Status st = Complete(*stub, lease.key(), flood);
  const int64_t after = PeakBytes(server.pid());
  std::cout << "server peak RSS around the 150,000-metric completion: " << before / 1024 << " kB -> " << after / 1024
            << " kB" << std::endl;
  EXPECT_LT(after - before, 64 << 20);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("metrics: 150001 metrics; at most 64"));
  st = Complete(*stub, lease.key(), {{"val_accuracy", 0.9}, {std::string(3'000'000, 'n'), 1}});
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(st.error_message().size(), 400u);

  const auto report = [&](int epoch, double lr, int diag_epoch) {
    v1::ReportProgressRequest req;
    *req.mutable_key() = lease.key();
    req.mutable_epoch()->set_epoch(epoch);
    (*req.mutable_epoch()->mutable_metrics())["val_accuracy"] = 0.5;
    req.mutable_epoch()->set_lr(lr);
    if (diag_epoch != 0) req.mutable_diagnostics()->set_epoch(diag_epoch);
    v1::ReportProgressResponse resp;
    return stub->ReportProgress(Ctx().get(), req, &resp);
  };
  st = report(2147483647, 0.1, 0);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("epoch.epoch: 2147483647 is outside 1..3"));
  st = report(1, -0.1, 0);
  EXPECT_THAT(st.error_message(), HasSubstr("epoch.lr"));
  st = report(1, 0.1, -7);
  EXPECT_THAT(st.error_message(), HasSubstr("diagnostics.epoch: -7"));

  ASSERT_TRUE(report(1, 0.1, 0).ok());
  ASSERT_TRUE(Complete(*stub, lease.key(), {{"val_accuracy", 0.9}}).ok());
  const json trials = Json(server.Cli({"trials", id, "-o", "json"}));
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0]["status"], "completed");
  const Result exported = server.Cli({"export", id});
  EXPECT_EQ(exported.code, 0) << exported.err;
}

// The audit's forgery through the real service: a worker whose lease expired sends
// the next attempt's number. Refused (FAILED_PRECONDITION), never answered OK, and
// the worker that really holds that attempt completes it.
TEST_F(WorkerProtocol, ALeaseIsBoundToTheWorkerItWasGivenTo) {
  ServerProcess server(dir_ / "forge.db", {"--workers", "0", "--lease-seconds", "1"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("one.yaml", R"(name: one
dataset: {name: iris}
method: grid
fixed: {epochs: 3}
parameters:
  lr: {values: [0.1]}
)"),
                                          "-o", "json"}))["id"];
  auto stub = Stub(server);
  const v1::Lease old = Acquire(*stub, "slow");
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));  // its lease expires
  const v1::Lease real = Acquire(*stub, "fast");
  ASSERT_EQ(real.key().attempt(), 2);
  v1::LeaseKey forged = old.key();
  forged.set_attempt(2);
  grpc::Status st = Complete(*stub, forged, {{"val_accuracy", 0.01}});
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  ASSERT_TRUE(Complete(*stub, real.key(), {{"val_accuracy", 0.93}}).ok());
  st = Complete(*stub, forged, {{"val_accuracy", 0.01}});
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "a refused report answered OK";
  const json t = Json(server.Cli({"trial", id, "0", "-o", "json"}));
  EXPECT_EQ(t["status"], "completed");
  EXPECT_EQ(t["worker"], "fast");
  EXPECT_DOUBLE_EQ(t["objective"].get<double>(), 0.93);
}

}  // namespace
}  // namespace hpsearch::testing
