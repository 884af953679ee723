// Bounded inputs (issue 26, items 9, 11 and 14) against the real hpsearch-server on
// 127.0.0.1 and the real CLI: CSV fields and lines, `--where` conditions, names and
// labels, strings a worker or an older database hands back, and tables too small to
// split. Each test failed against the server and CLI before these bounds.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "SQLiteCpp/SQLiteCpp.h"
#include "hpsearch/v1/sweep_service.grpc.pb.h"
#include "hpsearch/v1/worker_service.grpc.pb.h"
#include "tests/testing/e2e_fixture.h"

namespace hpsearch::testing {
namespace {

using namespace std::string_literals;
using ::testing::HasSubstr;
using ::testing::Not;
namespace v1 = hpsearch::v1;

const char* kOneTrial = "dataset: {name: iris, validation: 0.2}\nbudget: {max_trials: 1}\nfixed: {epochs: 1}\n";

class InputBounds : public E2ETest {
 protected:
  InputBounds() : E2ETest("e2e-bounds") { std::filesystem::create_directories(data_); }

  std::string CsvSpec(const std::string& file) {
    const std::string path = (data_ / (file + ".yaml")).string();
    std::ofstream(path) << "name: csv-check\ndataset: {name: csv, path: " << file
                        << "}\nbudget: {max_trials: 1}\nfixed: {epochs: 1}\n";
    return path;
  }

  // No raw control character of the kinds a terminal acts on.
  static void ExpectNoControls(const std::string& text) {
    for (const std::string& raw : {"\x1b"s, "\x07"s, "\0"s, "\r"s, "\xc2\x9b"s, "\xe2\x80\xae"s}) {
      EXPECT_EQ(text.find(raw), std::string::npos)
          << "raw " << static_cast<int>(static_cast<unsigned char>(raw[0])) << " in:\n"
          << text;
    }
  }

  // Bytes as hex, for failure messages about strings full of control characters.
  static std::string Hex(const std::string& s) {
    std::string out;
    char buf[4];
    for (unsigned char c : s) {
      std::snprintf(buf, sizeof buf, "%02x", c);
      out += buf;
    }
    return out;
  }

  const std::filesystem::path data_ = dir_.path() / "data";
};

// A 20 KB field once made `submit` fail with "received initial metadata size exceeds
// limit", a 64 MB line hung it to its deadline.
TEST_F(InputBounds, CsvFieldsAndLinesAreBoundedAtSubmit) {
  std::ofstream(data_ / "wide.csv") << "a,b,y\n1,2,p\n3," << std::string(20'000, 'q') << ",q\n";
  {
    std::ofstream big(data_ / "long.csv");
    big << "a,y\n" << std::string(64 << 20, '1') << ",p\n";
  }
  ServerProcess server(dir_ / "csv.db", {"--workers", "1", "--data-dir", data_.string()});
  ASSERT_TRUE(server.Start()) << server.log();
  Result r = server.Cli({"submit", CsvSpec("wide.csv")});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("wide.csv:3: column 'b' (2): not a number: 'qqqqqqqq"));
  EXPECT_LT(r.err.size(), 400u) << r.err;
  const auto start = std::chrono::steady_clock::now();
  r = server.Cli({"--timeout", "30", "submit", CsvSpec("long.csv")});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("long.csv:2: the line is longer than 1048576 bytes (67108866)"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_THAT(server.Cli({"list"}).out, HasSubstr("no sweeps yet"));
}

// A one- or two-row file passed the check and then every trial failed.
TEST_F(InputBounds, ATableTooSmallToSplitIsRefusedAtSubmit) {
  std::ofstream(data_ / "tiny.csv") << "a,y\n1,p\n2,q\n";
  std::ofstream(data_ / "three.csv") << "a,y\n1,p\n2,q\n3,p\n";
  ServerProcess server(dir_ / "tiny.db", {"--workers", "1", "--data-dir", data_.string()});
  ASSERT_TRUE(server.Start()) << server.log();
  const Result r = server.Cli({"submit", CsvSpec("tiny.csv")});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("tiny.csv: 2 rows are too few to split: validation 0.1 holds out no row"));
  const json ok = Json(server.Cli({"submit", CsvSpec("three.csv"), "-o", "json"}));
  EXPECT_EQ(WaitForEnd(server, ok["id"], std::chrono::seconds(60))["status"], "completed");
}

// 1,200 conditions came back INTERNAL with the server's database path.
TEST_F(InputBounds, WhereConditionsAreBoundedAndErrorsNeverNameTheDatabase) {
  ServerProcess server(dir_ / "where-private.db", {"--workers", "1"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("one.yaml", kOneTrial), "-o", "json"}))["id"];
  ASSERT_EQ(WaitForEnd(server, id, std::chrono::seconds(60))["status"], "completed");
  const auto trials = [&](int n, const std::string& condition) {
    std::vector<std::string> args = {"trials", id};
    for (int i = 0; i < n; ++i) args.insert(args.end(), {"--where", condition});
    return server.Cli(args);
  };
  Result r = trials(1200, "epochs>0");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("where: at most 32 conditions (got 1200)"));
  EXPECT_THAT(r.err, Not(HasSubstr("where-private")));
  r = trials(32, "epochs>0");
  EXPECT_EQ(r.code, 0) << r.err;
  r = trials(1, "epochs<" + std::string(5000, '9'));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("a condition is at most 1000 characters"));
  EXPECT_LT(r.err.size(), 400u);
  r = server.Cli({"export", id, "-o", "json", "--where", "optimizer=\x1b[2J" + std::string(900, 'x')});
  EXPECT_EQ(r.code, 2) << r.err;
  ExpectNoControls(r.err);
}

// Controls in names reached every `hpsearch list`; look-alikes passed for ids.
TEST_F(InputBounds, TheServerRefusesControlAndLookAlikeCharactersInNamesAndLabels) {
  ServerProcess server(dir_ / "names.db", {"--workers", "0"});
  ASSERT_TRUE(server.Start()) << server.log();
  auto stub = v1::SweepService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  const auto submit = [&](const std::string& name, const std::string& label) {
    v1::SubmitSweepRequest req;
    req.mutable_spec()->set_name(name);
    req.mutable_spec()->mutable_dataset()->set_name("iris");
    if (!label.empty()) (*req.mutable_spec()->mutable_labels())["team"] = label;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::Sweep out;
    return stub->SubmitSweep(&ctx, req, &out);
  };
  for (const std::string& name : {"esc\x1b[31m"s, "bel\x07"s, "cr\rlf\n"s, "nul\0cut"s, "s-000001 "s, " s-000001"s,
                                  "\xef\xbd\x93-\xef\xbc\x90\xef\xbc\x90\xef\xbc\x91"s, "\xd1\x95-000001"s,
                                  "bidi\xe2\x80\xae"
                                  "exe.txt"s}) {
    const grpc::Status st = submit(name, "");
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Hex(name);
    EXPECT_THAT(st.error_message(), ::testing::StartsWith("name: ")) << Hex(name);
  }
  const grpc::Status label = submit("fine", "vi\x1bsion");
  EXPECT_EQ(label.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(label.error_message(), HasSubstr("labels.team: character 3 (U+001B, a control character)"));
  EXPECT_TRUE(submit("fine ünïcode 名前", "vision").ok());
  // The CLI says the same before sending.
  const Result r = server.Cli({"submit", WriteSpec("one.yaml", kOneTrial), "--name", "x\x1b]0;owned\x07"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("name: character 2 (U+001B, a control character)"));
  ExpectNoControls(r.err);
}

// A worker's failure reason and worker id, and a name an older database holds, are
// shown escaped by every view (JSON carries them exactly), and the server's log line
// is whole past a NUL.
TEST_F(InputBounds, StringsFromWorkersAndOldDatabasesAreEscapedOnOutputAndInTheLog) {
  const std::string reason = "diverged\x1b[2J\x07 nul\0after\r\nforged line \xe2\x80\xae"s;
  const std::string worker = "evil\x1b[31mworker";
  ServerProcess server(dir_ / "escape.db", {"--workers", "0"});
  ASSERT_TRUE(server.Start()) << server.log();
  const std::string id = Json(server.Cli({"submit", WriteSpec("one.yaml", kOneTrial), "-o", "json"}))["id"];
  {
    auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
    auto workers = v1::WorkerService::NewStub(channel);
    grpc::ClientContext ctx;
    v1::AcquireTrialRequest acquire;
    acquire.set_worker_id(worker);
    acquire.set_request_id("r1");
    v1::AcquireTrialResponse lease;
    ASSERT_TRUE(workers->AcquireTrial(&ctx, acquire, &lease).ok());
    ASSERT_TRUE(lease.has_lease());
    grpc::ClientContext fail_ctx;
    v1::FailTrialRequest fail;
    *fail.mutable_key() = lease.lease().key();
    fail.set_reason(reason);
    fail.set_permanent(true);
    v1::FailTrialResponse none;
    ASSERT_TRUE(workers->FailTrial(&fail_ctx, fail, &none).ok());
  }
  EXPECT_EQ(WaitForEnd(server, id, std::chrono::seconds(30))["status"], "failed");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"trial", id, "0"}, {"status", id}, {"trials", id, "-o", "wide"}, {"workers"}, {"watch", id}}) {
    const Result r = server.Cli(args);
    EXPECT_TRUE(r.code == 0 || r.code == 5) << args[0] << ": " << r.err;
    ExpectNoControls(r.out + r.err);
    if (args[0] == "trial") {
      EXPECT_THAT(r.out, HasSubstr("diverged\\x1b[2J\\x07 nul\\x00after\\x0d\\x0aforged"));
    }
    if (args[0] == "trials" || args[0] == "workers") {
      EXPECT_THAT(r.out, HasSubstr("evil\\x1b[31mworker"));
    }
  }
  EXPECT_EQ(Json(server.Cli({"trial", id, "0", "-o", "json"}))["failure_reason"], reason);
  EXPECT_THAT(server.log(), HasSubstr("nul\\x00after\\x0d\\x0aforged line \\u{202e}"));

  // A name stored by an older version, before names were checked.
  server.Kill(SIGTERM);
  ASSERT_EQ(server.Wait(std::chrono::seconds(20)), 0);
  {
    SQLite::Database db(server.db(), SQLite::OPEN_READWRITE);
    SQLite::Statement update(db, "UPDATE sweeps SET name = ?");
    update.bind(1, "old\x1b]0;title\x07name\0tail"s);
    update.exec();
  }
  ASSERT_TRUE(server.Start()) << server.log();
  const Result list = server.Cli({"list"});
  EXPECT_EQ(list.code, 0);
  EXPECT_THAT(list.out, HasSubstr("old\\x1b]0;title\\x07name\\x00tail"));
  ExpectNoControls(list.out);
  EXPECT_EQ(Json(server.Cli({"list", "-o", "json"}))[0]["name"], "old\x1b]0;title\x07name\0tail"s);
}

}  // namespace
}  // namespace hpsearch::testing
