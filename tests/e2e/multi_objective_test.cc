// A two-objective sweep (accuracy against network size) through a real server with
// its embedded slots and a kill -9 midway: NSGA-II resumes, and `best`, `status`,
// `export` and `trials` agree on the Pareto front, which matches the front computed
// here from the trials' own metrics.
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

const char* kSpec = R"(name: two-objectives
dataset: digits
objective: [{metric: val_accuracy}, {metric: parameter_count}]
method: nsga2
nsga2: {population: 4}
seed: 5
budget: {max_trials: 14}
fixed: {epochs: 20}
parameters:
  hidden: {values: [[4], [16], [64], [8, 8], [32, 32], [128]]}
  lr: {min: 0.001, max: 0.1, scale: log}
)";

class MultiObjective : public E2ETest {
 protected:
  MultiObjective() : E2ETest("multi_objective") {}
};

// The trial numbers of the front by definition: no other completed trial at least as
// accurate and at most as large, and better in one.
std::set<int64_t> FrontOf(const json& trials) {
  std::set<int64_t> front;
  for (const auto& a : trials) {
    const double acc = a["metrics"]["val_accuracy"], size = a["parameter_count"].get<double>();
    bool dominated = false;
    for (const auto& b : trials) {
      const double bacc = b["metrics"]["val_accuracy"], bsize = b["parameter_count"].get<double>();
      if (bacc >= acc && bsize <= size && (bacc > acc || bsize < size)) dominated = true;
    }
    if (!dominated) front.insert(a["trial"].get<int64_t>());
  }
  return front;
}

TEST_F(MultiObjective, NsgaIIFindsAFrontThatEveryViewAgreesOnAcrossAServerCrash) {
  const std::string listen = "127.0.0.1:" + std::to_string(FreePort());
  const std::string db = dir_ / "m.db";
  auto server = std::make_unique<ServerProcess>(db, std::vector<std::string>{"--workers", "1"}, listen);
  ASSERT_TRUE(server->Start()) << server->log();
  const std::string id = Json(server->Cli({"submit", WriteSpec("spec.yaml", kSpec), "-o", "json"}))["id"];
  int completed = 0;
  for (int i = 0; i < 2000 && completed < 5; ++i) {  // past the first generation
    completed = Json(server->Cli({"status", id, "-o", "json"}))["counts"]["completed"].get<int>();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server->Kill(SIGKILL);
  EXPECT_LT(completed, 14) << "the crash should come mid-sweep";
  server = std::make_unique<ServerProcess>(db, std::vector<std::string>{"--workers", "1"}, listen);
  ASSERT_TRUE(server->Start()) << server->log();
  const json status = WaitForEnd(*server, id, std::chrono::seconds(120));
  ASSERT_EQ(status["status"], "completed") << status.dump();
  EXPECT_THAT(server->log(), HasSubstr("nsga2 resumes from"));

  const json trials = Json(server->Cli({"trials", id, "--limit", "0", "-o", "json"}));
  ASSERT_EQ(trials.size(), 14u);
  const std::set<int64_t> front = FrontOf(trials);
  ASSERT_FALSE(front.empty());
  for (const auto& t : trials) {
    ASSERT_EQ(t["status"], "completed") << t.dump();
    ASSERT_EQ(t["objective_values"].size(), 2u) << t.dump();
    EXPECT_EQ(t["objective_values"][0], t["metrics"]["val_accuracy"]);
    EXPECT_EQ(t["objective_values"][1].get<double>(), t["parameter_count"].get<double>());
    EXPECT_EQ(t["pareto_rank"] == 0, front.count(t["trial"].get<int64_t>()) == 1) << t.dump();
  }

  // best: the whole front, by the first objective (most accurate first).
  const json best = Json(server->Cli({"best", id, "-o", "json"}));
  std::set<int64_t> listed;
  for (std::size_t i = 0; i < best.size(); ++i) {
    listed.insert(best[i]["trial"].get<int64_t>());
    EXPECT_EQ(best[i]["pareto_rank"], 0);
    if (i > 0) {
      EXPECT_GE(best[i - 1]["objective_values"][0], best[i]["objective_values"][0]);
    }
  }
  EXPECT_EQ(listed, front);
  const Result table = server->Cli({"best", id});
  EXPECT_THAT(table.out, HasSubstr("RANK  TRIAL  STATUS     val_accuracy (max)  parameter_count (min)"));
  // -k reaches past the front into the next ranks, in rank order.
  const json more = Json(server->Cli({"best", id, "-k", "14", "-o", "json"}));
  ASSERT_EQ(more.size(), 14u);
  for (std::size_t i = 1; i < more.size(); ++i) EXPECT_LE(more[i - 1]["pareto_rank"], more[i]["pareto_rank"]);

  // status: the front's size and hypervolume; export marks membership.
  const json pareto = Json(server->Cli({"status", id, "-o", "json"}))["pareto"];
  EXPECT_EQ(pareto["front_size"], front.size());
  EXPECT_EQ(pareto["ranked_trials"], 14);
  EXPECT_GT(pareto["hypervolume"].get<double>(), 0);
  EXPECT_THAT(server->Cli({"status", id}).out, HasSubstr("on the front of 14 ranked, hypervolume"));
  // watch ends on the front, not on one objective's best.
  EXPECT_THAT(server->Cli({"watch", id}).out,
              HasSubstr(" completed; Pareto front of val_accuracy (maximize), parameter_count (minimize): " +
                        std::to_string(front.size()) + " of 14 trials; hpsearch best " + id + " lists it\n"));
  const Result csv = server->Cli({"export", id});
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_THAT(csv.out, ::testing::StartsWith("trial,status,objective,pareto_rank,"));
  int on_front = 0;
  std::istringstream lines(csv.out);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    const auto a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1), d = line.find(',', c + 1);
    if (line.substr(c + 1, d - c - 1) == "0") ++on_front;
  }
  EXPECT_EQ(on_front, static_cast<int>(front.size()));
}

}  // namespace
}  // namespace hpsearch::testing
