// The gRPC services in process: a Server on 127.0.0.1 (port 0) with a real SQLite
// file and no embedded slots; the test is the client and plays the worker. Checks
// what the wire carries (typed params, counters, curves), the status codes and the
// token gate, without spawning processes.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "hpsearch/v1/sweep_service.grpc.pb.h"
#include "hpsearch/v1/worker_service.grpc.pb.h"
#include "proto/convert/spec_convert.h"
#include "search/spec_file.h"
#include "server/service/server.h"
#include "tests/testing/process.h"

namespace hpsearch::service {
namespace {

namespace v1 = hpsearch::v1;
using ::testing::HasSubstr;

const char* kSpec = R"(name: svc
dataset: {name: xor}
objective: {metric: val_loss, goal: minimize}
method: grid
fixed: {epochs: 2, hidden: [4], batch_size: 16}
parameters:
  lr: {values: [0.1, 0.01]}
)";

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest() : dir_("service") {}

  void SetUp() override {
    ServerConfig c;
    c.listen = "127.0.0.1:0";
    c.db = dir_ / "svc.db";
    c.workers = 0;
    c.token = "tok";
    c.log_level = "error";
    server_ = std::make_unique<Server>(c);
    ASSERT_EQ(server_->Start(), 0);
    auto channel =
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials());
    sweeps_ = v1::SweepService::NewStub(channel);
    workers_ = v1::WorkerService::NewStub(channel);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::unique_ptr<grpc::ClientContext> Ctx(bool with_token = true) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (with_token) ctx->AddMetadata("authorization", "Bearer tok");
    return ctx;
  }

  v1::Sweep Submit(const std::string& yaml = kSpec) {
    v1::SubmitSweepRequest req;
    *req.mutable_spec() = convert::ToProto(*client::ParseSpecYaml(yaml));
    v1::Sweep s;
    const grpc::Status st = sweeps_->SubmitSweep(Ctx().get(), req, &s);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return s;
  }

  v1::Lease Acquire() {
    v1::AcquireTrialRequest req;
    req.set_worker_id("test-worker");
    v1::AcquireTrialResponse resp;
    const grpc::Status st = workers_->AcquireTrial(Ctx().get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_TRUE(resp.has_lease());
    return resp.lease();
  }

  grpc::Status Report(const v1::Lease& l, int epoch, double val_loss, v1::ReportProgressResponse* resp) {
    v1::ReportProgressRequest req;
    *req.mutable_key() = l.key();
    req.mutable_epoch()->set_epoch(epoch);
    (*req.mutable_epoch()->mutable_metrics())["val_loss"] = val_loss;
    req.mutable_epoch()->set_lr(0.1);
    req.mutable_epoch()->set_seconds(0.01);
    return workers_->ReportProgress(Ctx().get(), req, resp);
  }

  grpc::Status Complete(const v1::Lease& l, double val_loss) {
    v1::CompleteTrialRequest req;
    *req.mutable_key() = l.key();
    (*req.mutable_metrics())["val_loss"] = val_loss;
    (*req.mutable_metrics())["val_accuracy"] = 1 - val_loss;
    req.set_parameter_count(22);
    v1::CompleteTrialResponse resp;
    return workers_->CompleteTrial(Ctx().get(), req, &resp);
  }

  hpsearch::testing::TempDir dir_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::SweepService::Stub> sweeps_;
  std::unique_ptr<v1::WorkerService::Stub> workers_;
};

TEST_F(ServiceTest, ASweepRunsThroughTheWorkerProtocolAndReadsBack) {
  const v1::Sweep s = Submit();
  EXPECT_EQ(s.status(), v1::SWEEP_RUNNING);
  EXPECT_EQ(s.total_trials(), 2);
  EXPECT_EQ(s.spec().name(), "svc");

  const double losses[] = {0.4, 0.2};
  for (int i = 0; i < 2; ++i) {
    const v1::Lease l = Acquire();
    EXPECT_EQ(l.key().sweep_id(), s.id());
    EXPECT_EQ(l.params().at("batch_size").number_value(), 16);
    EXPECT_EQ(l.objective_metric(), "val_loss");
    EXPECT_GT(l.lease_ms(), 0);
    v1::ReportProgressResponse r;
    ASSERT_TRUE(Report(l, 1, losses[i] + 0.1, &r).ok());
    EXPECT_EQ(r.directive(), v1::CONTINUE);
    ASSERT_TRUE(Report(l, 2, losses[i], &r).ok());
    ASSERT_TRUE(Complete(l, losses[i]).ok());
  }

  v1::GetSweepRequest get;
  get.set_sweep("svc");  // by name
  v1::Sweep done;
  ASSERT_TRUE(sweeps_->GetSweep(Ctx().get(), get, &done).ok());
  EXPECT_EQ(done.id(), s.id());
  EXPECT_EQ(done.status(), v1::SWEEP_COMPLETED);
  EXPECT_EQ(done.counts().completed(), 2);
  EXPECT_EQ(done.best_trial(), 1);
  EXPECT_DOUBLE_EQ(done.best_objective(), 0.2);

  v1::GetBestTrialsRequest best;
  best.set_sweep(s.id());
  best.set_k(5);
  v1::GetBestTrialsResponse top;
  ASSERT_TRUE(sweeps_->GetBestTrials(Ctx().get(), best, &top).ok());
  ASSERT_EQ(top.trials_size(), 2);
  EXPECT_EQ(top.trials(0).index(), 1);
  EXPECT_DOUBLE_EQ(top.trials(0).objective(), 0.2);
  EXPECT_DOUBLE_EQ(top.trials(0).params().at("lr").number_value(), 0.01);

  v1::GetTrialRequest one;
  one.set_sweep(s.id());
  one.set_index(0);
  v1::Trial t;
  ASSERT_TRUE(sweeps_->GetTrial(Ctx().get(), one, &t).ok());
  EXPECT_EQ(t.status(), v1::COMPLETED);
  ASSERT_EQ(t.epochs_size(), 2);
  EXPECT_DOUBLE_EQ(t.epochs(1).metrics().at("val_loss"), 0.4);
  EXPECT_EQ(t.parameter_count(), 22);
  EXPECT_EQ(t.worker(), "test-worker");
  ASSERT_EQ(t.attempts_size(), 1);

  v1::ListTrialsRequest list;
  list.set_sweep(s.id());
  list.set_sort_by("val_loss");
  list.set_page_size(1);
  v1::ListTrialsResponse page;
  ASSERT_TRUE(sweeps_->ListTrials(Ctx().get(), list, &page).ok());
  ASSERT_EQ(page.trials_size(), 1);
  EXPECT_EQ(page.trials(0).index(), 1);
  EXPECT_EQ(page.total(), 2);
  EXPECT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(sweeps_->ListTrials(Ctx().get(), list, &page).ok());
  ASSERT_EQ(page.trials_size(), 1);
  EXPECT_EQ(page.trials(0).index(), 0);
  EXPECT_TRUE(page.next_page_token().empty());
}

TEST_F(ServiceTest, EveryServiceRefusesACallWithoutTheToken) {
  v1::GetSweepRequest get;
  get.set_sweep("svc");
  v1::Sweep s;
  EXPECT_EQ(sweeps_->GetSweep(Ctx(false).get(), get, &s).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::AcquireTrialRequest acq;
  acq.set_worker_id("w");
  v1::AcquireTrialResponse lease;
  EXPECT_EQ(workers_->AcquireTrial(Ctx(false).get(), acq, &lease).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto wrong = std::make_unique<grpc::ClientContext>();
  wrong->AddMetadata("authorization", "Bearer nope");
  EXPECT_EQ(sweeps_->GetSweep(wrong.get(), get, &s).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ServiceTest, ErrorsCarryTheRightCodeAndNameWhatIsWrong) {
  v1::GetSweepRequest get;
  get.set_sweep("no-such-sweep");
  v1::Sweep s;
  grpc::Status st = sweeps_->GetSweep(Ctx().get(), get, &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(st.error_message(), HasSubstr("no-such-sweep"));

  v1::SubmitSweepRequest bad;
  *bad.mutable_spec() = convert::ToProto(
      *client::ParseSpecYaml("dataset: {name: xor}\nparameters:\n  lr: {min: 0, max: 1, scale: log}\n"));
  st = sweeps_->SubmitSweep(Ctx().get(), bad, &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("parameters.lr"));

  const v1::Sweep ok = Submit();
  v1::ListTrialsRequest list;
  list.set_sweep(ok.id());
  list.set_sort_by("no such; metric");
  v1::ListTrialsResponse page;
  st = sweeps_->ListTrials(Ctx().get(), list, &page);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("sort"));

  // A report for an attempt that holds no lease.
  v1::Lease l = Acquire();
  l.mutable_key()->set_attempt(l.key().attempt() + 1);
  EXPECT_EQ(Complete(l, 0.1).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::CancelSweepRequest cancel;
  cancel.set_sweep(ok.id());
  ASSERT_TRUE(sweeps_->CancelSweep(Ctx().get(), cancel, &s).ok());
  st = sweeps_->CancelSweep(Ctx().get(), cancel, &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("cancelled"));
}

// A spec as YAML text (what the Python SDK sends): read by the server with the spec
// file reader, its errors naming the field and line; both forms, or a huge text, refused.
TEST_F(ServiceTest, ASpecAsYamlIsReadByTheServer) {
  v1::SubmitSweepRequest req;
  req.set_spec_yaml(kSpec);
  v1::Sweep s;
  ASSERT_TRUE(sweeps_->SubmitSweep(Ctx().get(), req, &s).ok());
  EXPECT_EQ(s.name(), "svc");
  EXPECT_EQ(s.total_trials(), 2);
  req.set_spec_yaml("name: bad\ndataset: {name: xor}\nparameters:\n  lr: {mni: 0.1, max: 1}\n");
  grpc::Status st = sweeps_->SubmitSweep(Ctx().get(), req, &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("parameters.lr.mni: unknown key (did you mean 'min'?)"));
  req.set_spec_yaml(kSpec);
  *req.mutable_spec() = convert::ToProto(*client::ParseSpecYaml(kSpec));
  st = sweeps_->SubmitSweep(Ctx().get(), req, &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("spec_yaml: set instead of spec"));
  req.clear_spec();
  req.set_spec_yaml(std::string(kSpec) + "# " + std::string(2 << 20, 'x') + "\n");
  st = sweeps_->SubmitSweep(Ctx().get(), req, &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("spec_yaml: at most 1048576 bytes"));
}

TEST_F(ServiceTest, ARetriedSubmissionReturnsTheSameSweep) {
  v1::SubmitSweepRequest req;
  *req.mutable_spec() = convert::ToProto(*client::ParseSpecYaml(kSpec));
  req.set_request_id("req-1");
  v1::Sweep a, b;
  ASSERT_TRUE(sweeps_->SubmitSweep(Ctx().get(), req, &a).ok());
  ASSERT_TRUE(sweeps_->SubmitSweep(Ctx().get(), req, &b).ok());
  EXPECT_EQ(a.id(), b.id());
  req.mutable_spec()->set_seed(99);
  EXPECT_EQ(sweeps_->SubmitSweep(Ctx().get(), req, &b).error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(ServiceTest, AWatchGetsTheSnapshotEveryChangeAndTheEnd) {
  const v1::Sweep s = Submit();
  v1::WatchSweepRequest req;
  req.set_sweep(s.id());
  auto ctx = Ctx();
  auto stream = sweeps_->WatchSweep(ctx.get(), req);
  v1::SweepEvent e;
  ASSERT_TRUE(stream->Read(&e));  // the snapshot
  EXPECT_EQ(e.sweep().counts().not_started(), 2);
  for (int i = 0; i < 2; ++i) {
    const v1::Lease l = Acquire();
    v1::ReportProgressResponse r;
    ASSERT_TRUE(Report(l, 1, 0.3, &r).ok());
    ASSERT_TRUE(Complete(l, 0.3).ok());
  }
  int trials = 0, epochs = 0;
  v1::SweepStatus last = v1::SWEEP_STATUS_UNSPECIFIED;
  while (stream->Read(&e)) {
    trials += e.has_trial();
    epochs += e.has_epoch();
    last = e.sweep().status();
  }
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(trials, 4);  // RUNNING and COMPLETED for each
  EXPECT_EQ(epochs, 2);
  EXPECT_EQ(last, v1::SWEEP_COMPLETED);
}

}  // namespace
}  // namespace hpsearch::service
