// Security against a real server on loopback: the token on every rpc of every
// service (walked from the service descriptors, so a new rpc cannot skip it), TLS,
// oversized messages, SQL-looking names, and dataset paths outside --data-dir.
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "hpsearch/v1/sweep_service.grpc.pb.h"
#include "hpsearch/v1/worker_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/testing/e2e_fixture.h"
#include "tests/testing/process.h"

namespace hpsearch::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace v1 = hpsearch::v1;

const char* kToken = "s3cr3t-t0ken-value";

// Calls /service/method with an empty request and the given authorization header.
grpc::Status CallRaw(grpc::GenericStub& stub, const std::string& method, const std::string& auth) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (!auth.empty()) ctx.AddMetadata("authorization", auth);
  grpc::CompletionQueue cq;
  grpc::Slice empty("", 0);
  grpc::ByteBuffer request(&empty, 1);
  auto call = stub.PrepareUnaryCall(&ctx, method, request, &cq);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

std::vector<std::string> AllMethods() {
  std::vector<std::string> out;
  // Referencing a message of each file links its descriptor into the pool.
  (void)v1::SweepEvent::descriptor();
  (void)v1::LeaseKey::descriptor();
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto* service :
       {pool->FindServiceByName("hpsearch.v1.SweepService"), pool->FindServiceByName("hpsearch.v1.WorkerService")}) {
    for (int i = 0; i < service->method_count(); ++i) {
      out.push_back("/" + service->full_name() + "/" + service->method(i)->name());
    }
  }
  return out;
}

class Security : public E2ETest {
 protected:
  Security() : E2ETest("security") {}
};

TEST_F(Security, EveryRpcOfEveryServiceRequiresTheToken) {
  ServerProcess server(dir_ / "auth.db", {"--workers", "0", "--token", kToken});
  ASSERT_TRUE(server.Start()) << server.log();
  grpc::GenericStub stub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  const auto methods = AllMethods();
  ASSERT_EQ(methods.size(), 20u);  // 16 sweep + 4 worker rpcs; update when the API grows
  for (const auto& m : methods) {
    EXPECT_EQ(CallRaw(stub, m, "").error_code(), grpc::StatusCode::UNAUTHENTICATED) << m << " without a token";
    EXPECT_EQ(CallRaw(stub, m, "Bearer wrong").error_code(), grpc::StatusCode::UNAUTHENTICATED) << m;
    EXPECT_EQ(CallRaw(stub, m, std::string("Basic ") + kToken).error_code(), grpc::StatusCode::UNAUTHENTICATED) << m;
    EXPECT_EQ(CallRaw(stub, m, std::string("Bearer ") + kToken + "x").error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << m;
    const grpc::Status right = CallRaw(stub, m, std::string("Bearer ") + kToken);
    EXPECT_NE(right.error_code(), grpc::StatusCode::UNAUTHENTICATED) << m << ": " << right.error_message();
  }
  // Refused calls change nothing: a real sweep, then real requests without the token.
  const std::string spec = dir_ / "t.yaml";
  std::ofstream(spec) << "name: guarded\ndataset: {name: iris}\nbudget: {max_trials: 3}\n";
  const std::vector<std::string> cli = {Bin("hpsearch"), "--server", server.address()};
  auto run = [&](std::vector<std::string> args, bool token) {
    std::vector<std::string> all = cli;
    if (token) all.insert(all.end(), {"--token", kToken});
    all.insert(all.end(), args.begin(), args.end());
    return RunProcess(all);
  };
  ASSERT_EQ(run({"submit", spec}, true).code, 0);
  for (const auto& args : std::vector<std::vector<std::string>>{{"submit", spec},
                                                                {"cancel", "guarded"},
                                                                {"stop", "guarded"},
                                                                {"list"},
                                                                {"status", "guarded"},
                                                                {"extend", "guarded", "--trials", "2"},
                                                                {"retry", "guarded"},
                                                                {"delete", "guarded", "--yes"}}) {
    const Result r = run(args, false);
    EXPECT_EQ(r.code, 1) << args[0];
    EXPECT_THAT(r.err, HasSubstr("not authenticated")) << args[0];
  }
  const Result list = run({"list", "-o", "json"}, true);
  ASSERT_EQ(list.code, 0) << list.err;
  const json sweeps = json::parse(list.out);
  ASSERT_EQ(sweeps.size(), 1u);               // the refused submit added nothing
  EXPECT_EQ(sweeps[0]["status"], "running");  // the refused cancel and stop did nothing (no workers)
  // Health needs no token; the token is in no log line.
  EXPECT_EQ(RunProcess({Bin("hpsearch"), "--server", server.address(), "health"}).out, "SERVING\n");
  server.Kill(SIGTERM);
  server.Wait(std::chrono::seconds(10));
  EXPECT_THAT(server.log(), HasSubstr("auth on"));
  EXPECT_THAT(server.log(), ::testing::Not(HasSubstr(kToken)));
}

TEST_F(Security, TlsWithTokenEndToEnd) {
  std::string key, cert;
  const Result gen = SelfSignedCertificate(&key, &cert);
  ASSERT_EQ(gen.code, 0) << gen.err;
  ServerProcess server(dir_ / "tls.db", {"--workers", "1", "--token", kToken, "--tls-cert", cert, "--tls-key", key});
  ASSERT_TRUE(server.Start()) << server.log();
  EXPECT_THAT(server.log(), HasSubstr("TLS on"));
  const std::string spec = dir_ / "s.yaml";
  std::ofstream(spec) << "name: tls\ndataset: {name: iris}\nbudget: {max_trials: 2}\nfixed: {epochs: 3}\n";
  const std::vector<std::string> base = {Bin("hpsearch"), "--server", server.address(), "--tls-ca", cert,
                                         "--token",       kToken};
  auto with = [&](std::vector<std::string> more) {
    auto args = base;
    args.insert(args.end(), more.begin(), more.end());
    return RunProcess(args);
  };
  Result r = with({"submit", spec, "--watch"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(with({"best", "tls", "-o", "json"}).code, 0);
  // Plaintext to a TLS port, or TLS without the token, fails cleanly.
  r = RunProcess({Bin("hpsearch"), "--server", server.address(), "--token", kToken, "--timeout", "2", "list"});
  EXPECT_EQ(r.code, 3);
  r = RunProcess({Bin("hpsearch"), "--server", server.address(), "--tls-ca", cert, "list"});
  EXPECT_EQ(r.code, 1);
  // A remote worker over TLS.
  Process worker;
  ASSERT_TRUE(worker.Start(
      {Bin("hpsearch-worker"), "--server", server.address(), "--tls-ca", cert, "--token", kToken, "--slots", "1"},
      dir_ / "worker.log"));
  // Up and connected before it is asked to stop (SIGTERM before its handler is
  // installed would kill it outright: exit 143).
  for (int i = 0; i < 200 && worker.log().find("TLS on") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  r = with({"submit", spec, "--name", "tls-remote", "--watch"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  worker.Kill(SIGTERM);
  EXPECT_EQ(worker.Wait(std::chrono::seconds(10)), 0) << worker.log();
  EXPECT_THAT(worker.log(), HasSubstr("TLS on"));
}

TEST_F(Security, OversizedMessagesAreRefused) {
  ServerProcess server(dir_ / "big.db", {"--workers", "0", "--max-message-bytes", "65536"});
  ASSERT_TRUE(server.Start()) << server.log();
  auto stub = v1::SweepService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  v1::SubmitSweepRequest req;
  req.mutable_spec()->set_name(std::string(200'000, 'x'));
  req.mutable_spec()->mutable_dataset()->set_name("iris");
  grpc::ClientContext ctx;
  v1::Sweep resp;
  const grpc::Status st = stub->SubmitSweep(&ctx, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
  // The server is fine afterwards.
  EXPECT_EQ(server.Cli({"list"}).code, 0);
}

TEST_F(Security, WatchStreamsAreCapped) {
  ServerProcess server(dir_ / "streams.db", {"--workers", "1", "--max-watch-streams", "2"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string spec = dir_ / "w.yaml";
  std::ofstream(spec) << "name: w\ndataset: {name: digits}\nbudget: {max_trials: 50}\n"
                         "fixed: {epochs: 40, hidden: [256, 256], batch_size: 8}\n";
  ASSERT_EQ(server.Cli({"submit", spec}).code, 0);
  auto stub = v1::SweepService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  v1::WatchSweepRequest req;
  req.set_sweep("w");
  grpc::ClientContext c1, c2, c3, c4;
  v1::SweepEvent e;
  auto s1 = stub->WatchSweep(&c1, req);
  auto s2 = stub->WatchSweep(&c2, req);
  ASSERT_TRUE(s1->Read(&e));  // the snapshots: both streams are open
  ASSERT_TRUE(s2->Read(&e));
  auto s3 = stub->WatchSweep(&c3, req);
  EXPECT_FALSE(s3->Read(&e));
  const grpc::Status refused = s3->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("--max-watch-streams"));
  c1.TryCancel();
  s1->Finish();
  bool reopened = false;
  for (int i = 0; i < 100 && !reopened; ++i) {  // the server notices the cancel shortly
    grpc::ClientContext c;
    auto s = stub->WatchSweep(&c, req);
    reopened = s->Read(&e);
    c.TryCancel();
    s->Finish();
    if (!reopened) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(reopened);
  c2.TryCancel();
  s2->Finish();
  (void)c4;
}

TEST_F(Security, ReflectionOnlyWhenAskedFor) {
  const std::string method = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  ServerProcess off(dir_ / "r1.db", {"--workers", "0"});
  ASSERT_TRUE(off.Start()) << off.log();
  grpc::GenericStub a(grpc::CreateChannel(off.address(), grpc::InsecureChannelCredentials()));
  EXPECT_EQ(CallRaw(a, method, "").error_code(), grpc::StatusCode::UNIMPLEMENTED);
  ServerProcess on(dir_ / "r2.db", {"--workers", "0", "--reflection"});
  ASSERT_TRUE(on.Start()) << on.log();
  grpc::GenericStub b(grpc::CreateChannel(on.address(), grpc::InsecureChannelCredentials()));
  EXPECT_NE(CallRaw(b, method, "").error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_THAT(on.log(), HasSubstr("reflection on"));
}

TEST_F(Security, SqlLookingNamesRoundTripLiterally) {
  ServerProcess server(dir_ / "sql.db", {"--workers", "1"});
  ASSERT_TRUE(server.Start()) << server.log();
  for (const std::string& name : std::vector<std::string>{
           "x'; DROP TABLE sweeps; --", "Robert'); DELETE FROM trials; --", "a\" OR \"1\"=\"1", "名前 with spaces"}) {
    const std::string spec = dir_ / "n.yaml";
    std::ofstream(spec) << "dataset: {name: iris}\nbudget: {max_trials: 1}\nfixed: {epochs: 2}\n";
    Result r = server.Cli({"submit", spec, "--name", name, "-o", "json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["name"], name);
    r = server.Cli({"status", name, "-o", "json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["name"], name);
  }
  Result r = server.Cli({"list", "-o", "json"});
  EXPECT_EQ(json::parse(r.out).size(), 4u);
  r = server.Cli({"trials", "x'; DROP TABLE sweeps; --", "--sort", "val_loss' OR 1=1 --"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("error: --sort: unknown key"));
}

TEST_F(Security, DatasetPathsStayInsideTheDataDirectory) {
  namespace fs = std::filesystem;
  const fs::path data = dir_.path() / "data";
  fs::create_directories(data / "sub");
  std::ofstream(data / "ok.csv") << "a,b,label\n1,2,0\n2,1,1\n3,3,0\n1,1,1\n2,2,0\n3,1,1\n1,3,0\n2,3,1\n3,2,0\n1,2,1\n";
  std::ofstream(dir_.path() / "secret.csv") << "a,label\n1,0\n";
  fs::create_symlink(dir_.path() / "secret.csv", data / "link.csv");
  ServerProcess server(dir_ / "paths.db", {"--workers", "1", "--data-dir", data.string()});
  ASSERT_TRUE(server.Start()) << server.log();
  auto submit = [&](const std::string& path) {
    const std::string spec = dir_ / "p.yaml";
    std::ofstream(spec) << "name: paths\ndataset: {name: csv, path: '" << path
                        << "', target: label}\nbudget: {max_trials: 1}\nfixed: {epochs: 2}\n";
    return server.Cli({"submit", spec});
  };
  for (const std::string& bad :
       std::vector<std::string>{"../secret.csv", "sub/../../secret.csv", (dir_.path() / "secret.csv").string(),
                                "link.csv", "/dev/zero", "/etc/passwd", "sub", "missing.csv"}) {
    const Result r = submit(bad);
    EXPECT_EQ(r.code, 2) << bad << ": " << r.out;
    EXPECT_THAT(r.err, HasSubstr("dataset.path")) << bad;
  }
  const Result ok = submit("ok.csv");
  EXPECT_EQ(ok.code, 0) << ok.err;
  // Bad data inside the directory: refused at submit with the file and line as the
  // user named them (never the server's own path); the server carries on.
  std::ofstream(data / "bad.csv") << "a,b,label\n1,2,0\n3,oops,1\n";
  const Result bad = submit("bad.csv");
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_THAT(bad.err, HasSubstr("bad.csv:3: column 'b' (2): not a number: 'oops'"));
  EXPECT_THAT(bad.err, ::testing::Not(HasSubstr(data.string())));
  EXPECT_EQ(server.Cli({"health"}).out, "SERVING\n");
}

}  // namespace
}  // namespace hpsearch::testing
