// TPE with ASHA pruning through a real server and a remote worker, with a kill -9 of
// the server midway: the sweep finishes, every trial is recorded once (pruned ones
// with their reason and curve), and the search resumes from the stored history.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "nlohmann/json.hpp"
#include "tests/testing/e2e_fixture.h"
#include "tests/testing/process.h"

namespace hpsearch::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// 16 digits trials of about half a second each on one slot.
const char* kSpec = R"(name: adaptive
dataset: {name: digits, validation: 0.2}
objective: {metric: val_accuracy}
method: tpe
seed: 3
tpe: {startup_trials: 4}
pruning: {method: asha, min_epochs: 1, reduction_factor: 3}
budget: {max_trials: 16}
fixed: {epochs: 9, hidden: [256, 256], batch_size: 8}
parameters:
  lr: {min: 1.0e-5, max: 1.0, scale: log}
  optimizer: {values: [sgd, adam]}
)";

class AdaptiveSearch : public E2ETest {
 protected:
  AdaptiveSearch() : E2ETest("adaptive") {}
};

TEST_F(AdaptiveSearch, TpeWithAshaFinishesAcrossAServerCrashWithEveryTrialRecordedOnce) {
  const std::string listen = "127.0.0.1:" + std::to_string(FreePort());
  const std::string db = dir_ / "a.db";
  auto server = std::make_unique<ServerProcess>(db, std::vector<std::string>{"--workers", "0"}, listen);
  ASSERT_TRUE(server->Start()) << server->log();
  Process worker;
  ASSERT_TRUE(StartWorker(worker, listen, "w1", 2));
  const std::string id = Json(server->Cli({"submit", WriteSpec("spec.yaml", kSpec), "-o", "json"}))["id"];
  // Past the start-up trials, so the model is in use when the server dies.
  for (int i = 0; i < 1200; ++i) {
    const json c = Json(server->Cli({"status", id, "-o", "json"}))["counts"];
    if (c["completed"].get<int>() + c["pruned"].get<int>() >= 6) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  server->Kill(SIGKILL);
  server = std::make_unique<ServerProcess>(db, std::vector<std::string>{"--workers", "0"}, listen);
  ASSERT_TRUE(server->Start()) << server->log();
  const json status = WaitForEnd(*server, id, std::chrono::seconds(120));
  EXPECT_EQ(status["status"], "completed") << status.dump();
  EXPECT_THAT(server->log(), HasSubstr("tpe resumes from"));

  const json trials = Json(server->Cli({"trials", id, "--limit", "0", "-o", "json"}));
  ASSERT_EQ(trials.size(), 16u);
  std::set<int64_t> seen;
  int pruned = 0, completed = 0;
  for (const auto& t : trials) {
    EXPECT_TRUE(seen.insert(t["trial"].get<int64_t>()).second);
    if (t["status"] == "pruned") ++pruned;
    if (t["status"] == "completed") ++completed;
  }
  EXPECT_EQ(completed + pruned, 16);
  EXPECT_EQ(status["counts"]["pruned"], pruned);
  EXPECT_EQ(status["counts"]["completed"], completed);
  EXPECT_GT(pruned, 0);
  const json listed = Json(server->Cli({"trials", id, "--status", "pruned", "--limit", "0", "-o", "json"}));
  ASSERT_EQ(static_cast<int>(listed.size()), pruned);
  const json t = Json(server->Cli({"trial", id, std::to_string(listed[0]["trial"].get<int64_t>()), "-o", "json"}));
  EXPECT_THAT(t.dump(), HasSubstr("pruned at epoch "));
  // Its curve stops at the rung that stopped it.
  ASSERT_TRUE(t.contains("epochs")) << t.dump();
  EXPECT_LT(t["epochs"].size(), 9u);
  // `best` ranks completed trials only.
  const json best = Json(server->Cli({"best", id, "-k", "3", "-o", "json"}));
  for (const auto& b : best) EXPECT_EQ(b["status"], "completed");
  worker.Kill(SIGTERM);
  EXPECT_EQ(worker.Wait(std::chrono::seconds(20)), 0);
  server->Kill(SIGTERM);
  server->Wait(std::chrono::seconds(15));
  ExpectSound(db);
}

}  // namespace
}  // namespace hpsearch::testing
