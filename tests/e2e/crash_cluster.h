// A real hpsearch-server that may die at a fail point, the clients that carry on
// across its crashes (retrying with the same request ids, restarting it), and the
// test playing a worker over WorkerService. Used by the fail-point campaign.
#pragma once

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hpsearch/v1/sweep_service.grpc.pb.h"
#include "hpsearch/v1/worker_service.grpc.pb.h"
#include "tests/testing/process.h"

namespace hpsearch::testing {

namespace v1 = hpsearch::v1;

// Trial i's objective (trial 1 beats any target of 0.1).
inline double Objective(int64_t index) { return index == 1 ? 0.05 : 0.3 + 0.01 * index; }

inline bool Transient(const grpc::Status& st) {
  return st.error_code() == grpc::StatusCode::UNAVAILABLE || st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

inline bool Terminal(v1::SweepStatus s) {
  return s == v1::SWEEP_COMPLETED || s == v1::SWEEP_FAILED || s == v1::SWEEP_CANCELLED;
}

// A server that may die at its fail point, and the clients of one scenario.
class Cluster {
 public:
  Cluster(const std::string& db, std::vector<std::string> flags, const std::string& arm)
      : server_(db, std::move(flags)) {
    server_.StayOnPort();  // a port the kernel picked: no race with servers started beside it
    if (!arm.empty()) server_.SetNextEnv({"HPSEARCH_FAILPOINTS=" + arm});
    started_ = server_.Start();
    Connect();
  }
  ~Cluster() { Stop(); }

  bool started() const { return started_; }
  int crashes() const { return crashes_; }
  ServerProcess& server() { return server_; }

  // Calls `rpc` until it gets an answer that is not transient, restarting the server
  // (without fail points) whenever it has died: what a patient client does.
  grpc::Status Retry(const std::function<grpc::Status(grpc::ClientContext*)>& rpc) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      grpc::Status st = rpc(&ctx);
      if (!Transient(st) || std::chrono::steady_clock::now() > until) return st;
      Revive();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // Restarts the server if it has died (again if an armed start dies at its point
  // before serving).
  void Revive() {
    if (server_.Exited() < 0) return;
    for (int tries = 0; tries < 3; ++tries) {
      ++crashes_;
      if (server_.Start()) break;
      EXPECT_THAT(server_.log(), ::testing::HasSubstr("failpoint ")) << "the server did not start";
    }
    Connect();
  }

  v1::SweepService::Stub& sweeps() { return *sweeps_; }
  v1::WorkerService::Stub& workers() { return *workers_; }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    server_.Kill(SIGTERM);
    server_.Wait(std::chrono::seconds(15));
  }

 private:
  void Connect() {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 300);
    auto channel = grpc::CreateCustomChannel(server_.address(), grpc::InsecureChannelCredentials(), args);
    sweeps_ = v1::SweepService::NewStub(channel);
    workers_ = v1::WorkerService::NewStub(channel);
  }

  ServerProcess server_;
  bool started_ = false;
  bool stopped_ = false;
  int crashes_ = 0;
  std::unique_ptr<v1::SweepService::Stub> sweeps_;
  std::unique_ptr<v1::WorkerService::Stub> workers_;
};

// The test playing a worker over WorkerService.
class Worker {
 public:
  Worker(Cluster& c, std::string id) : c_(c), id_(std::move(id)) {}

  std::optional<v1::Lease> Acquire() {
    v1::AcquireTrialRequest req;
    req.set_worker_id(id_);
    req.set_request_id(id_ + "#" + std::to_string(++seq_));
    v1::AcquireTrialResponse resp;
    auto st = c_.Retry([&](grpc::ClientContext* ctx) {
      resp.Clear();
      return c_.workers().AcquireTrial(ctx, req, &resp);
    });
    if (!st.ok() || !resp.has_lease()) return std::nullopt;
    return resp.lease();
  }
  // True: carry on.
  bool Report(const v1::Lease& l, int epoch) {
    v1::ReportProgressRequest req;
    *req.mutable_key() = l.key();
    req.mutable_epoch()->set_epoch(epoch);
    (*req.mutable_epoch()->mutable_metrics())["val_loss"] = Objective(l.key().index()) + 0.1;
    req.mutable_epoch()->set_lr(0.1);
    req.mutable_epoch()->set_seconds(0.01);
    v1::ReportProgressResponse resp;
    auto st = c_.Retry([&](grpc::ClientContext* ctx) { return c_.workers().ReportProgress(ctx, req, &resp); });
    return st.ok() && resp.directive() == v1::CONTINUE;
  }
  grpc::Status Complete(const v1::Lease& l) {
    v1::CompleteTrialRequest req;
    *req.mutable_key() = l.key();
    (*req.mutable_metrics())["val_loss"] = Objective(l.key().index());
    (*req.mutable_metrics())["val_accuracy"] = 1 - Objective(l.key().index());
    req.set_parameter_count(17);
    v1::CompleteTrialResponse resp;
    return c_.Retry([&](grpc::ClientContext* ctx) { return c_.workers().CompleteTrial(ctx, req, &resp); });
  }
  grpc::Status Fail(const v1::Lease& l, bool permanent) {
    v1::FailTrialRequest req;
    *req.mutable_key() = l.key();
    req.set_reason(permanent ? "diverged: loss is nan" : "worker going away");
    req.set_permanent(permanent);
    v1::FailTrialResponse resp;
    return c_.Retry([&](grpc::ClientContext* ctx) { return c_.workers().FailTrial(ctx, req, &resp); });
  }

 private:
  Cluster& c_;
  std::string id_;
  int seq_ = 0;
};

}  // namespace hpsearch::testing
