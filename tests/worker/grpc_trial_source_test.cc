// GrpcTrialSource against a scripted WorkerService on loopback: plain types in and
// out, the token on every call, retries that keep their request id, errors that keep
// their code, and Wake() ending a retry loop against a server that is gone.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <thread>

#include "proto/convert/protocol_convert.h"
#include "tests/testing/status_matchers.h"
#include "worker/remote/grpc_trial_source.h"

namespace hpsearch::remote {
namespace {

namespace v1 = hpsearch::v1;
using ::hpsearch::testing::IsOk;
using ::hpsearch::testing::StatusIs;

// Answers each rpc with the next scripted status (OK once the script runs out) and
// records what it was sent.
class ScriptedService final : public v1::WorkerService::Service {
 public:
  grpc::Status AcquireTrial(grpc::ServerContext* ctx, const v1::AcquireTrialRequest* req,
                            v1::AcquireTrialResponse* resp) override {
    std::lock_guard lock(mu_);
    Seen(ctx);
    acquire_ids.push_back(req->request_id());
    if (auto st = Next(); !st.ok()) return st;
    if (lease) *resp->mutable_lease() = *lease;
    resp->set_retry_after_ms(retry_after_ms);
    return grpc::Status::OK;
  }
  grpc::Status ReportProgress(grpc::ServerContext* ctx, const v1::ReportProgressRequest* req,
                              v1::ReportProgressResponse* resp) override {
    std::lock_guard lock(mu_);
    Seen(ctx);
    reports.push_back(*req);
    if (auto st = Next(); !st.ok()) return st;
    resp->set_directive(stop ? v1::STOP : v1::CONTINUE);
    resp->set_reason(stop ? "pruned" : "");
    resp->set_lease_ms(4500);
    return grpc::Status::OK;
  }
  grpc::Status CompleteTrial(grpc::ServerContext* ctx, const v1::CompleteTrialRequest* req,
                             v1::CompleteTrialResponse*) override {
    std::lock_guard lock(mu_);
    Seen(ctx);
    completes.push_back(*req);
    return Next();
  }
  grpc::Status FailTrial(grpc::ServerContext* ctx, const v1::FailTrialRequest* req, v1::FailTrialResponse*) override {
    std::lock_guard lock(mu_);
    Seen(ctx);
    fails.push_back(*req);
    return Next();
  }

  std::deque<grpc::Status> script;
  std::optional<v1::Lease> lease;
  int64_t retry_after_ms = 0;
  bool stop = false;
  std::vector<std::string> acquire_ids, tokens;
  std::vector<v1::ReportProgressRequest> reports;
  std::vector<v1::CompleteTrialRequest> completes;
  std::vector<v1::FailTrialRequest> fails;
  std::mutex mu_;

 private:
  grpc::Status Next() {
    if (script.empty()) return grpc::Status::OK;
    grpc::Status st = script.front();
    script.pop_front();
    return st;
  }
  void Seen(grpc::ServerContext* ctx) {
    auto it = ctx->client_metadata().find("authorization");
    tokens.push_back(it == ctx->client_metadata().end() ? "" : std::string(it->second.data(), it->second.size()));
  }
};

class GrpcTrialSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    b.RegisterService(&service_);
    server_ = b.BuildAndStart();
    ASSERT_TRUE(server_);
    options_.server = "127.0.0.1:" + std::to_string(port_);
    options_.token = "s3cret";
    options_.call_timeout_seconds = 5;
    options_.report_retry_seconds = 30;
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }
  std::unique_ptr<GrpcTrialSource> Source() {
    auto channel = MakeChannel(options_);
    EXPECT_TRUE(channel.ok());
    return std::make_unique<GrpcTrialSource>(*channel, options_);
  }

  ScriptedService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  RemoteOptions options_;
};

Lease SampleLease() {
  Lease l;
  l.key = {"s-000003", 4, 2};
  l.dataset.name = "iris";
  l.params = {{"batch_size", Value(int64_t{16})}, {"lr", Value(0.01)}};
  l.seed = 12345;
  l.lease_ms = 4500;
  l.objective_metric = "val_accuracy";
  l.objective_maximize = true;
  return l;
}

TEST_F(GrpcTrialSourceTest, ALeaseArrivesAsPlainTypesWithTheTokenSent) {
  service_.lease = convert::ToProto(SampleLease());
  auto source = Source();
  auto l = source->Acquire("wk", "", WorkerCapacity{});
  ASSERT_THAT(l, IsOk());
  ASSERT_TRUE(l->has_value());
  EXPECT_EQ((*l)->key, SampleLease().key);
  EXPECT_EQ((*l)->params, SampleLease().params);
  EXPECT_TRUE((*l)->params.at("batch_size").is_int());
  EXPECT_EQ((*l)->seed, 12345u);
  EXPECT_TRUE((*l)->objective_maximize);
  ASSERT_EQ(service_.tokens.size(), 1u);
  EXPECT_EQ(service_.tokens[0], "Bearer s3cret");
  EXPECT_EQ(service_.acquire_ids[0], "wk#1");  // a fresh id per call when none is given
}

TEST_F(GrpcTrialSourceTest, NothingToRunIsNoLease) {
  service_.retry_after_ms = 100;
  auto source = Source();
  auto l = source->Acquire("wk", "mine", WorkerCapacity{});
  ASSERT_THAT(l, IsOk());
  EXPECT_FALSE(l->has_value());
  EXPECT_EQ(service_.acquire_ids, (std::vector<std::string>{"mine"}));
}

TEST_F(GrpcTrialSourceTest, AnAcquireRetriedThroughAnOutageKeepsItsRequestId) {
  service_.lease = convert::ToProto(SampleLease());
  service_.script = {grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting"),
                     grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting")};
  auto source = Source();
  auto l = source->Acquire("wk", "", WorkerCapacity{});
  ASSERT_THAT(l, IsOk());
  ASSERT_TRUE(l->has_value());
  ASSERT_EQ(service_.acquire_ids.size(), 3u);
  EXPECT_EQ(service_.acquire_ids[0], service_.acquire_ids[1]);
  EXPECT_EQ(service_.acquire_ids[1], service_.acquire_ids[2]);
}

TEST_F(GrpcTrialSourceTest, ReportsResultsAndFailuresGoOutAsSent) {
  auto source = Source();
  EpochReport r{SampleLease().key, EpochMetrics{2, {{"val_accuracy", 0.75}}, 0.01, 0.5}, std::nullopt};
  auto reply = source->Report(r);
  ASSERT_THAT(reply, IsOk());
  EXPECT_FALSE(reply->stop);
  EXPECT_EQ(reply->lease_ms, 4500);
  service_.stop = true;
  auto stopped = source->Report(EpochReport{SampleLease().key, std::nullopt, std::nullopt});
  ASSERT_THAT(stopped, IsOk());
  EXPECT_TRUE(stopped->stop);
  EXPECT_EQ(stopped->reason, "pruned");
  ASSERT_EQ(service_.reports.size(), 2u);
  EXPECT_EQ(service_.reports[0].epoch().metrics().at("val_accuracy"), 0.75);
  EXPECT_FALSE(service_.reports[1].has_epoch());  // a bare heartbeat

  TrialResult done{SampleLease().key, {{"val_accuracy", 0.8}}, 99, {}};
  EXPECT_THAT(source->Complete(done), IsOk());
  ASSERT_EQ(service_.completes.size(), 1u);
  EXPECT_EQ(service_.completes[0].parameter_count(), 99);
  EXPECT_EQ(service_.completes[0].key().attempt(), 2);

  EXPECT_THAT(source->Fail(TrialFailure{SampleLease().key, "worker going away", false}), IsOk());
  ASSERT_EQ(service_.fails.size(), 1u);
  EXPECT_FALSE(service_.fails[0].permanent());
  EXPECT_EQ(service_.fails[0].reason(), "worker going away");
}

TEST_F(GrpcTrialSourceTest, ErrorsThatAreNotTransientKeepTheirCodeAndAreNotRetried) {
  service_.script = {grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the lease is gone")};
  auto source = Source();
  EXPECT_THAT(source->Complete(TrialResult{SampleLease().key, {}, 0, {}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("lease is gone")));
  EXPECT_EQ(service_.completes.size(), 1u);
  service_.script = {grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad token")};
  EXPECT_THAT(source->Acquire("wk", "", WorkerCapacity{}), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(GrpcTrialSourceTest, ACompletionIsRetriedUntilTheServerRecordsIt) {
  service_.script = {grpc::Status(grpc::StatusCode::UNAVAILABLE, "database is full"),
                     grpc::Status(grpc::StatusCode::UNAVAILABLE, "database is full")};
  auto source = Source();
  EXPECT_THAT(source->Complete(TrialResult{SampleLease().key, {{"val_accuracy", 0.5}}, 1, {}}), IsOk());
  EXPECT_EQ(service_.completes.size(), 3u);
}

TEST_F(GrpcTrialSourceTest, WakeEndsTheRetriesAgainstAServerThatIsGone) {
  server_->Shutdown();
  server_.reset();
  options_.report_retry_seconds = 3600;
  options_.call_timeout_seconds = 1;
  auto source = Source();
  // The completion would retry for an hour; Wake(), before or during its loop, ends
  // it (a source that ignored it would hold this test until ctest's timeout).
  absl::Status st;
  std::thread completer([&] { st = source->Complete(TrialResult{SampleLease().key, {}, 0, {}}); });
  source->Wake();
  completer.join();
  EXPECT_THAT(st, StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace hpsearch::remote
