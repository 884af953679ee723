// The HTTP API and /metrics of a real hpsearch-server (--http) on 127.0.0.1, read by
// a real HTTP client; /metrics is linted by the Prometheus client library's parser.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "tests/testing/e2e_fixture.h"
#include "tests/testing/process.h"

namespace hpsearch::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const char* kSpec = R"(name: web
dataset: {name: iris, validation: 0.2}
objective: {metric: val_accuracy, goal: maximize}
method: grid
fixed: {epochs: 8, hidden: [8]}
parameters:
  optimizer: {values: [sgd, adam]}
  lr: {values: [0.003, 0.03]}
)";

class Http : public E2ETest {
 protected:
  Http() : E2ETest("http") {}

  // A server with --http on a free port, and a client for it.
  std::unique_ptr<ServerProcess> StartServer(const std::string& db, std::vector<std::string> extra) {
    const std::string port_file = dir_ / (db + ".http-port");
    extra.insert(extra.end(), {"--http", "127.0.0.1:0", "--http-port-file", port_file});
    auto server = std::make_unique<ServerProcess>(dir_ / db, extra);
    EXPECT_TRUE(server->Start()) << server->log();
    const std::string port = ReadFile(port_file);
    EXPECT_FALSE(port.empty()) << server->log();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port.empty() ? 1 : std::stoi(port));
    client_->set_read_timeout(10, 0);
    return server;
  }

  // GET path → (status, JSON body).
  std::pair<int, json> Get(const std::string& path, const httplib::Headers& headers = {}) {
    auto res = client_->Get(path, headers);
    EXPECT_TRUE(res) << path << ": " << httplib::to_string(res.error());
    if (!res) return {0, json()};
    auto body = json::parse(res->body, nullptr, false);
    EXPECT_FALSE(body.is_discarded()) << path << ": " << res->body;
    return {res->status, body};
  }

  std::unique_ptr<httplib::Client> client_;
};

TEST_F(Http, TheJsonApiMirrorsTheGrpcQueries) {
  auto server = StartServer("api.db", {"--workers", "2"});
  const std::string id = Json(server->Cli({"submit", WriteSpec("web.yaml", kSpec), "-o", "json"}))["id"];
  ASSERT_EQ(WaitForEnd(*server, id, std::chrono::seconds(60))["status"], "completed");

  auto [code, sweeps] = Get("/api/v1/sweeps");
  ASSERT_EQ(code, 200) << sweeps.dump();
  ASSERT_EQ(sweeps["sweeps"].size(), 1u);
  EXPECT_EQ(sweeps["sweeps"][0]["id"], id);
  EXPECT_EQ(sweeps["sweeps"][0]["status"], "SWEEP_COMPLETED");
  EXPECT_EQ(sweeps["sweeps"][0]["counts"]["completed"], "4");  // int64 as a string (proto3 JSON)
  auto [by_name_code, by_name] = Get("/api/v1/sweeps/web");
  EXPECT_EQ(by_name_code, 200);
  EXPECT_EQ(by_name["id"], id);

  // Pages of 3 by keyset token: every trial once.
  std::set<std::string> seen;
  std::string token;
  for (int page = 0; page < 4; ++page) {
    auto [c, p] = Get("/api/v1/sweeps/" + id + "/trials?page_size=3" + (token.empty() ? "" : "&page_token=" + token));
    ASSERT_EQ(c, 200) << p.dump();
    EXPECT_EQ(p["total"], "4");
    for (const auto& t : p["trials"]) seen.insert(t["index"].get<std::string>());
    token = p["next_page_token"];
    if (token.empty()) break;
  }
  EXPECT_EQ(seen, (std::set<std::string>{"0", "1", "2", "3"}));
  auto [sc, sorted] = Get("/api/v1/sweeps/" + id + "/trials?status=COMPLETED&sort_by=val_accuracy&descending=true");
  ASSERT_EQ(sc, 200) << sorted.dump();
  ASSERT_EQ(sorted["trials"].size(), 4u);
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_GE(sorted["trials"][i - 1]["metrics"]["val_accuracy"].get<double>(),
              sorted["trials"][i]["metrics"]["val_accuracy"].get<double>());
  }
  // Conditions, each a `where` parameter (repeated): both must hold; the CLI says the same.
  auto [fc, filtered] =
      Get("/api/v1/sweeps/" + id + "/trials?where=optimizer%3Dadam&where=lr%3C%3D0.01&where=hidden%3D%5B8%5D");
  ASSERT_EQ(fc, 200) << filtered.dump();
  EXPECT_EQ(filtered["total"], "1");
  ASSERT_EQ(filtered["trials"].size(), 1u);
  EXPECT_EQ(filtered["trials"][0]["params"]["optimizer"], "adam");
  EXPECT_EQ(filtered["trials"][0]["params"]["lr"], 0.003);
  const double best_accuracy = sorted["trials"][0]["metrics"]["val_accuracy"].get<double>();
  auto [oc, at_best] =
      Get("/api/v1/sweeps/" + id + "/trials?where=objective%3E%3D" + std::to_string(best_accuracy - 1e-9));
  ASSERT_EQ(oc, 200) << at_best.dump();
  EXPECT_GE(at_best["trials"].size(), 1u);
  for (const auto& t : at_best["trials"]) EXPECT_GE(t["objective"].get<double>(), best_accuracy - 1e-9);
  auto [ec, typo] = Get("/api/v1/sweeps/" + id + "/trials?where=optimiser%3Dadam");
  EXPECT_EQ(ec, 400);
  EXPECT_THAT(typo["error"]["message"].get<std::string>(), HasSubstr("did you mean 'optimizer'"));
  EXPECT_EQ(Get("/api/v1/sweeps/" + id + "/trials?sort_by=lr&sort_by=objective").first, 400);  // given twice
  const json cli = Json(server->Cli({"trials", id, "--where", "optimizer=adam", "--where", "lr<=0.01", "-o", "json"}));
  ASSERT_EQ(cli.size(), 1u) << cli.dump();
  EXPECT_EQ(std::to_string(cli[0]["trial"].get<int64_t>()), filtered["trials"][0]["index"]);
  EXPECT_EQ(cli[0]["params"]["optimizer"], "adam");
  EXPECT_EQ(cli[0]["params"]["lr"], 0.003);
  const std::string table = server->Cli({"trials", id, "--where", "optimizer=sgd"}).out;
  EXPECT_THAT(table, HasSubstr("where optimizer=sgd"));
  const std::string none = server->Cli({"trials", id, "--where", "lr>1"}).out;
  EXPECT_THAT(none, HasSubstr("no trials where lr>1"));
  auto [bc, best] = Get("/api/v1/sweeps/" + id + "/best?k=2");
  ASSERT_EQ(bc, 200);
  ASSERT_EQ(best["trials"].size(), 2u);
  EXPECT_EQ(best["trials"][0]["objective"], sorted["trials"][0]["objective"]);
  auto [tc, trial] = Get("/api/v1/sweeps/" + id + "/trials/0");
  ASSERT_EQ(tc, 200);
  EXPECT_EQ(trial["epochs"].size(), 8u);
  EXPECT_EQ(trial["attempts"].size(), 1u);
  auto [wc, workers] = Get("/api/v1/workers");
  EXPECT_EQ(wc, 200);
  EXPECT_TRUE(workers.contains("workers"));

  // Errors: the right status and the message the CLI would show.
  auto [nc, missing] = Get("/api/v1/sweeps/nope");
  EXPECT_EQ(nc, 404);
  EXPECT_EQ(missing["error"]["code"], "NOT_FOUND");
  EXPECT_THAT(missing["error"]["message"].get<std::string>(), HasSubstr("'nope' not found"));
  auto [kc, bad_key] = Get("/api/v1/sweeps/" + id + "/trials?sort_by=bogus");
  EXPECT_EQ(kc, 400);
  EXPECT_EQ(bad_key["error"]["code"], "INVALID_ARGUMENT");
  auto [uc, unknown] = Get("/api/v1/sweeps/" + id + "/trials?colour=red");
  EXPECT_EQ(uc, 400);
  EXPECT_THAT(unknown["error"]["message"].get<std::string>(), HasSubstr("colour"));
  EXPECT_EQ(Get("/api/v1/sweeps/" + id + "/trials/x").first, 400);
  EXPECT_EQ(Get("/api/v2/sweeps").first, 404);
  auto post = client_->Post("/api/v1/sweeps", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);

  // /metrics: what happened, in the Prometheus text format.
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string scrape = dir_ / "scrape.txt";
  std::ofstream(scrape) << metrics->body;
  const json want = {
      {"families",
       {{"hpsearch_trials_total", "counter"},
        {"hpsearch_trials_running", "gauge"},
        {"hpsearch_trials_pending", "gauge"},
        {"hpsearch_sweeps", "gauge"},
        {"hpsearch_trial_duration_seconds", "histogram"},
        {"hpsearch_epoch_reports_total", "counter"},
        {"hpsearch_leases_lost_total", "counter"},
        {"hpsearch_watch_streams", "gauge"},
        {"hpsearch_store_commit_seconds", "histogram"},
        {"hpsearch_grpc_requests_total", "counter"},
        {"hpsearch_workers_connected", "gauge"}}},
      {"samples",
       {{"hpsearch_trials_total", {{"status", "completed"}}, 4},
        {"hpsearch_trials_total", {{"status", "failed"}}, 0},
        {"hpsearch_sweeps", {{"status", "completed"}}, 1},
        {"hpsearch_trials_running", json::object(), 0},
        {"hpsearch_trial_duration_seconds_count", json::object(), 4},
        {"hpsearch_epoch_reports_total", json::object(), 32},  // 4 trials × 8 epochs
        {"hpsearch_grpc_requests_total", {{"method", "hpsearch.v1.SweepService/SubmitSweep"}, {"code", "OK"}}, 1},
        {"hpsearch_grpc_requests_total", {{"method", "hpsearch.v1.SweepService/GetSweep"}, {"code", "OK"}}, ">0"},
        {"hpsearch_workers_connected", json::object(), 1},
        {"hpsearch_store_commit_seconds_count", json::object(), ">0"}}}};
  const Result lint = RunProcess(
      {"/usr/bin/python3", std::string(HPSEARCH_SOURCE_DIR) + "/tests/e2e/check_metrics.py", scrape, want.dump()});
  EXPECT_EQ(lint.code, 0) << lint.err << "\n" << metrics->body;
}

// /events: server-sent events from the sweep's start to its end: the sweep as it
// is, then every trial's transitions and epochs in order, numbered, the last one
// final (and the stream closes); a finished sweep's stream is its final record.
TEST_F(Http, EventsStreamASweepUntilItEnds) {
  auto server = StartServer("events.db", {"--workers", "1"});
  const std::string spec = R"(name: live
dataset: {name: iris, validation: 0.2}
method: random
budget: {max_trials: 3}
fixed: {epochs: 60, hidden: [256, 256]}
parameters:
  lr: {min: 0.001, max: 0.01, scale: log}
)";
  const std::string id = Json(server->Cli({"submit", WriteSpec("live.yaml", spec), "-o", "json"}))["id"];
  std::string body;
  std::string content_type;
  auto res = client_->Get(
      "/api/v1/sweeps/" + id + "/events", httplib::Headers{{"Accept-Encoding", "gzip, br"}},
      [&](const httplib::Response& r) {
        content_type = r.get_header_value("Content-Type");
        EXPECT_EQ(r.get_header_value("Content-Encoding"), "");  // never buffered by a compressor
        return r.status == 200;
      },
      [&](const char* data, size_t n) {
        body.append(data, n);
        return true;
      });
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(content_type, "text/event-stream");
  std::vector<json> events;
  int64_t last_id = 0;
  for (absl::string_view frame : absl::StrSplit(body, "\n\n", absl::SkipEmpty())) {
    if (absl::StartsWith(frame, ":")) continue;  // keep-alive
    int64_t frame_id = 0;
    std::string data;
    for (absl::string_view line : absl::StrSplit(frame, '\n')) {
      if (absl::ConsumePrefix(&line, "id: ")) {
        EXPECT_TRUE(absl::SimpleAtoi(line, &frame_id)) << line;
      } else if (absl::ConsumePrefix(&line, "data: ")) {
        data = std::string(line);
      } else if (absl::ConsumePrefix(&line, "event: ")) {
        EXPECT_EQ(line, "sweep");
      }
    }
    EXPECT_EQ(frame_id, last_id + 1) << frame;
    last_id = frame_id;
    events.push_back(json::parse(data));
  }
  ASSERT_GE(events.size(), 3u) << body.substr(0, 2000);
  EXPECT_EQ(events.front()["sweep"]["id"], id);
  EXPECT_FALSE(events.front().contains("trial"));  // the snapshot
  EXPECT_EQ(events.back()["sweep"]["status"], "SWEEP_COMPLETED");
  EXPECT_EQ(events.back()["sweep"]["counts"]["completed"], "3");
  std::map<std::string, std::vector<std::string>> transitions;
  std::map<std::string, int> epochs;
  for (const auto& e : events) {
    if (e.contains("trial")) transitions[e["trial"].value("index", "0")].push_back(e["trial"]["status"]);
    if (e.contains("epoch")) epochs[e["epoch"].value("trial", "0")] += 1;
    EXPECT_FALSE(e.contains("skipped")) << "a reader keeping up gets every event";
  }
  ASSERT_EQ(transitions.size(), 3u);
  for (const auto& [trial, states] : transitions) {
    if (trial == "0") {  // it may have started before the stream did
      EXPECT_EQ(states.back(), "COMPLETED");
      EXPECT_LE(epochs[trial], 60);
      continue;
    }
    EXPECT_EQ(states, (std::vector<std::string>{"RUNNING", "COMPLETED"})) << "trial " << trial;
    EXPECT_EQ(epochs[trial], 60) << "trial " << trial;
  }
  EXPECT_NE(body.find("retry: 60000"), std::string::npos);

  // Finished: one event, the final record.
  auto done = client_->Get("/api/v1/sweeps/" + id + "/events");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  EXPECT_EQ(std::count(done->body.begin(), done->body.end(), '\n'), 5) << done->body;
  EXPECT_NE(done->body.find("SWEEP_COMPLETED"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/sweeps/nope/events").first, 404);
  EXPECT_EQ(Get("/api/v1/sweeps/" + id + "/events?after=3").first, 400);
}

// A command trial's output through /trials/{n}/log: each stream, from an offset, the
// bytes as base64 (the JSON mapping of `bytes`); a built-in sweep has none (400).
TEST_F(Http, TheLogOfACommandTrialIsServed) {
  const std::string code = dir_ / "code";
  std::filesystem::create_directories(code);
  std::ofstream(code + "/hello.sh") << "#!/bin/sh\necho hello\necho oops >&2\necho 'hpsearch: epoch=1 loss=1'\n";
  std::filesystem::permissions(code + "/hello.sh", std::filesystem::perms::owner_all);
  auto server = StartServer("log.db", {"--workers", "1", "--commands", code});
  const std::string id = Json(server->Cli({"submit", WriteSpec("hello.yaml", R"(name: hello
trainer: {command: [hello.sh]}
objective: {metric: loss}
method: grid
parameters:
  n: {values: [1]}
)"),
                                           "-o", "json"}))["id"];
  ASSERT_EQ(WaitForEnd(*server, id, std::chrono::seconds(60))["status"], "completed");
  const std::string route = "/api/v1/sweeps/" + id + "/trials/0/log";
  auto [oc, out] = Get(route);
  ASSERT_EQ(oc, 200) << out.dump();
  EXPECT_EQ(out["data"], "aGVsbG8KaHBzZWFyY2g6IGVwb2NoPTEgbG9zcz0xCg==");  // "hello\nhpsearch: epoch=1 loss=1\n"
  EXPECT_EQ(out["attempt"], 1);
  EXPECT_EQ(out["offset"], "0");
  EXPECT_EQ(out["end"], "31");
  EXPECT_EQ(out["finished"], true);
  EXPECT_EQ(out["status"], "COMPLETED");
  auto [ec, err] = Get(route + "?stream=OUTPUT_STREAM_STDERR");
  ASSERT_EQ(ec, 200) << err.dump();
  EXPECT_EQ(err["data"], "b29wcwo=");  // "oops\n"
  auto [fc, from] = Get(route + "?offset=2&max_bytes=4");
  ASSERT_EQ(fc, 200) << from.dump();
  EXPECT_EQ(from["data"], "bGxvCg==");  // "llo\n"
  EXPECT_EQ(from["offset"], "2");
  EXPECT_EQ(Get(route + "?attempt=2").first, 404);
  EXPECT_EQ(Get(route + "?max_bytes=-1").first, 400);
  const std::string builtin = Json(server->Cli(
      {"submit", WriteSpec("b.yaml", "name: b\ndataset: {name: xor}\nbudget: {max_trials: 1}\n"), "-o", "json"}))["id"];
  auto [bc, b] = Get("/api/v1/sweeps/" + builtin + "/trials/0/log");
  EXPECT_EQ(bc, 400);
  EXPECT_THAT(b.dump(), HasSubstr("built-in trainer"));
}

// /pareto: a two-objective sweep's ranked trials (each with its values and rank as
// /trials gives them, and its searched parameters) and the hypervolume as the trials
// finished, which grows to the front's; a sweep of one objective has no front.
TEST_F(Http, ParetoServesTheFrontAndTheHypervolumeAsTrialsFinished) {
  auto server = StartServer("pareto.db", {"--workers", "2"});
  const std::string id = Json(server->Cli({"submit", WriteSpec("two.yaml", R"(name: two
dataset: {name: iris, validation: 0.2}
objective: [{metric: val_accuracy}, {metric: parameter_count}]
method: nsga2
nsga2: {population: 4}
seed: 5
budget: {max_trials: 10}
fixed: {epochs: 5}
parameters:
  hidden: {values: [[4], [16], [64], [8, 8], [32, 32]]}
  lr: {min: 0.001, max: 0.1, scale: log}
)"),
                                           "-o", "json"}))["id"];
  ASSERT_EQ(WaitForEnd(*server, id, std::chrono::seconds(120))["status"], "completed");
  auto [code, p] = Get("/api/v1/sweeps/" + id + "/pareto");
  ASSERT_EQ(code, 200) << p.dump();
  EXPECT_EQ(p["metrics"], json({"val_accuracy", "parameter_count"}));
  EXPECT_EQ(p["maximize"], json({true, false}));
  auto [tc, listed] = Get("/api/v1/sweeps/" + id + "/trials?status=COMPLETED&page_size=1000");
  ASSERT_EQ(tc, 200) << listed.dump();
  std::map<int64_t, json> completed;
  for (const auto& t : listed["trials"]) completed[std::stoll(t["index"].get<std::string>())] = t;
  const json& points = p["points"];
  ASSERT_EQ(points.size(), completed.size()) << p.dump();
  ASSERT_GE(points.size(), 2u);
  EXPECT_EQ(p["ranked_trials"], points.size());
  size_t front = 0;
  for (const auto& pt : points) {
    const int64_t index = pt["trial"];
    ASSERT_TRUE(completed.count(index)) << pt.dump();
    const json& t = completed[index];
    EXPECT_EQ(pt["values"], t["objective_values"]) << pt.dump();
    EXPECT_EQ(pt["rank"], t["pareto_rank"]) << pt.dump();
    EXPECT_EQ(pt["params"], json({{"hidden", t["params"]["hidden"]}, {"lr", t["params"]["lr"]}})) << pt.dump();
    if (pt["rank"] == 0) ++front;
  }
  EXPECT_GE(front, 1u);
  EXPECT_EQ(p["front_size"], front);
  // The reference point lies beyond every trial: below the accuracies, above the sizes.
  ASSERT_EQ(p["reference_point"].size(), 2u);
  for (const auto& pt : points) {
    EXPECT_LT(p["reference_point"][0].get<double>(), pt["values"][0].get<double>());
    EXPECT_GT(p["reference_point"][1].get<double>(), pt["values"][1].get<double>());
  }
  // The history: a step per ranked trial in finish order, never falling, ending at the
  // front's hypervolume.
  std::vector<std::pair<int64_t, int64_t>> finished;  // (finished_ms, index)
  for (const auto& [index, t] : completed)
    finished.emplace_back(std::stoll(t["finished_ms"].get<std::string>()), index);
  std::sort(finished.begin(), finished.end());
  const json& history = p["hypervolume_history"];
  ASSERT_EQ(history.size(), finished.size()) << p.dump();
  for (size_t k = 0; k < history.size(); ++k) {
    EXPECT_EQ(history[k]["x"], k + 1);
    EXPECT_EQ(history[k]["trial"], finished[k].second) << "step " << k;
    EXPECT_GT(history[k]["y"].get<double>(), 0) << "step " << k;
    if (k > 0) {
      EXPECT_GE(history[k]["y"].get<double>(), history[k - 1]["y"].get<double>()) << "step " << k;
    }
  }
  const double hypervolume = p["hypervolume"];
  EXPECT_GT(hypervolume, 0);
  EXPECT_NEAR(history.back()["y"].get<double>(), hypervolume, 1e-9 * hypervolume);

  auto [qc, query] = Get("/api/v1/sweeps/" + id + "/pareto?max_points=10");
  EXPECT_EQ(qc, 400);
  EXPECT_EQ(query["error"]["code"], "INVALID_ARGUMENT");
  auto [nc, missing] = Get("/api/v1/sweeps/nope/pareto");
  EXPECT_EQ(nc, 404);
  EXPECT_EQ(missing["error"]["code"], "NOT_FOUND");
  const std::string single =
      Json(server->Cli({"submit", WriteSpec("one.yaml", "name: one\ndataset: {name: xor}\nbudget: {max_trials: 1}\n"),
                        "-o", "json"}))["id"];
  auto [oc, one] = Get("/api/v1/sweeps/" + single + "/pareto");
  EXPECT_EQ(oc, 400);
  EXPECT_EQ(one["error"]["code"], "FAILED_PRECONDITION");
  EXPECT_THAT(one["error"]["message"].get<std::string>(), HasSubstr("sweep " + single + " has one objective"));
}

// The dashboard's page shell and its script: ES modules (server/http/assets/js/),
// each embedded and served with a JavaScript type (a browser runs no module served
// as anything else) and no token, found by following the imports from the page's
// <script type="module">; the page keeps its Content-Security-Policy (scripts from
// this site only). Every module in the source tree is reached, none is missing.
TEST_F(Http, TheDashboardLoadsEveryModuleItImports) {
  auto server = StartServer("dashboard.db", {"--workers", "0"});
  auto page = client_->Get("/sweeps/some-sweep");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->get_header_value("Content-Security-Policy"),
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; frame-ancestors 'none'");
  EXPECT_THAT(page->body, HasSubstr("<script src=\"/assets/chart.min.js\" defer></script>"));
  EXPECT_THAT(page->body, HasSubstr("<script type=\"module\" src=\"/assets/js/main.js\"></script>"));
  for (const std::string asset : {"chart.min.js", "dashboard.css"}) {
    auto r = client_->Get("/assets/" + asset);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << asset;
  }
  std::set<std::string> served;
  std::vector<std::string> queue = {"main.js"};
  while (!queue.empty()) {
    const std::string name = queue.back();
    queue.pop_back();
    if (!served.insert(name).second) continue;
    auto r = client_->Get("/assets/js/" + name);
    ASSERT_TRUE(r) << name;
    ASSERT_EQ(r->status, 200) << name << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/javascript; charset=utf-8") << name;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << name;
    EXPECT_EQ(r->body, ReadFile(Source("server/http/assets/js/" + name))) << name;
    // Its imports: `from "./x.js"`, siblings only (the embedded names are flat).
    for (absl::string_view rest = r->body; !rest.empty();) {
      const size_t at = rest.find("from \"");
      if (at == absl::string_view::npos) break;
      rest.remove_prefix(at + 6);
      const absl::string_view spec = rest.substr(0, rest.find('"'));
      ASSERT_TRUE(absl::StartsWith(spec, "./") && absl::EndsWith(spec, ".js") && spec.find('/', 2) == spec.npos)
          << name << " imports " << spec;
      queue.emplace_back(spec.substr(2));
    }
  }
  std::set<std::string> sources;
  for (const auto& f : std::filesystem::directory_iterator(Source("server/http/assets/js"))) {
    if (f.path().extension() == ".js") sources.insert(f.path().filename());
  }
  EXPECT_EQ(served, sources) << "a module no page imports, or one that is not there";
  EXPECT_GE(served.size(), 10u);
  for (const std::string gone : {"js/nope.js", "dashboard.js"}) {  // dashboard.js: the one file it was
    auto missing = client_->Get("/assets/" + gone);
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404) << gone;
  }
}

TEST_F(Http, TheTokenGuardsTheApiAndMetrics) {
  auto server = StartServer("auth.db", {"--workers", "0", "--token", "s3cret-token"});
  for (const std::string path : {"/api/v1/sweeps", "/metrics"}) {
    auto none = client_->Get(path);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401) << path;
    EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer realm=\"hpsearch\"");
    EXPECT_THAT(none->body, Not(HasSubstr("s3cret")));
    auto wrong = client_->Get(path, {{"Authorization", "Bearer s3cret-tokex"}});
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401) << path;
    auto right = client_->Get(path, {{"Authorization", "Bearer s3cret-token"}});
    ASSERT_TRUE(right);
    EXPECT_EQ(right->status, 200) << path;
  }
  EXPECT_THAT(server->log(), Not(HasSubstr("s3cret")));
}

// With --tls-cert/--tls-key the HTTP side is HTTPS only, with the gRPC certificate,
// and the login cookie is marked Secure.
TEST_F(Http, TlsServesHttpsOnlyWithTheSameCertificate) {
  std::string key, cert;
  const Result gen = SelfSignedCertificate(&key, &cert);
  ASSERT_EQ(gen.code, 0) << gen.err;
  const std::string port_file = dir_ / "tls.http-port";
  ServerProcess server(dir_ / "tls.db",
                       {"--workers", "0", "--tls-cert", cert, "--tls-key", key, "--token", "t0ken", "--http",
                        "127.0.0.1:0", "--http-port-file", port_file},
                       "127.0.0.1:0");
  // ServerProcess's own readiness check speaks plaintext gRPC: wait for the port file instead.
  (void)server.Start();
  for (int i = 0; i < 100 && ReadFile(port_file).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::string port = ReadFile(port_file);
  ASSERT_FALSE(port.empty()) << server.log();
  httplib::SSLClient https("127.0.0.1", std::stoi(port));
  https.set_ca_cert_path(cert.c_str());
  https.enable_server_certificate_verification(true);
  auto res = https.Get("/api/v1/sweeps", {{"Authorization", "Bearer t0ken"}});
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  httplib::Params form{{"token", "t0ken"}, {"next", "/"}};
  auto login = https.Post("/login", form);
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 303);
  EXPECT_THAT(login->get_header_value("Set-Cookie"), HasSubstr("HttpOnly; SameSite=Strict; Secure"));
  httplib::Client plain("127.0.0.1", std::stoi(port));
  plain.set_read_timeout(3, 0);
  auto refused = plain.Get("/api/v1/sweeps", {{"Authorization", "Bearer t0ken"}});
  EXPECT_TRUE(!refused || refused->status != 200) << "plaintext HTTP was served";
}

}  // namespace
}  // namespace hpsearch::testing
