// The server itself: health (is it serving?), version (the CLI's and the server's),
// workers (who can run trials now — the embedded slots, each remote hpsearch-worker —
// and what they hold).
#include <algorithm>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/commands/call_and_print.h"
#include "client/commands/commands.h"
#include "client/format.h"
#include "client/views.h"
#include "common/util/printable.h"

namespace hpsearch::client {

namespace v1 = hpsearch::v1;
using nlohmann::json;

grpc::Status FetchWorkers(Connection& c, std::vector<v1::Worker>* out) {
  v1::ListWorkersRequest req;
  v1::ListWorkersResponse resp;
  auto ctx = c.Call();
  grpc::Status st = c.sweeps().ListWorkers(ctx.get(), req, &resp);
  if (st.ok()) out->assign(resp.workers().begin(), resp.workers().end());
  return st;
}

namespace {

std::vector<std::vector<std::string>> WorkerRows(const v1::ListWorkersResponse& resp) {
  const int64_t now = NowMs();
  std::vector<std::vector<std::string>> rows;
  for (const auto& w : resp.workers()) {
    std::vector<std::string> trials;
    for (const auto& t : w.running()) trials.push_back(absl::StrCat(t.sweep_id(), "/", t.index()));
    rows.push_back({w.name(), w.embedded() ? "embedded" : "remote", std::to_string(w.slots_size()),
                    std::to_string(w.running_size()), trials.empty() ? "-" : absl::StrJoin(trials, " "),
                    Age(w.last_seen_ms(), now)});
  }
  return rows;
}

json WorkersJson(const v1::ListWorkersResponse& resp) {
  json list = json::array();
  for (const auto& w : resp.workers()) {
    json running = json::array();
    for (const auto& t : w.running())
      running.push_back({{"sweep", t.sweep_id()}, {"trial", t.index()}, {"attempt", t.attempt()}});
    list.push_back({{"name", w.name()},
                    {"embedded", w.embedded()},
                    {"slots", std::vector<std::string>(w.slots().begin(), w.slots().end())},
                    {"last_seen_ms", w.last_seen_ms()},
                    {"running", running}});
  }
  return list;
}

}  // namespace

int RunWorkers(Connection& c, std::ostream& out, std::ostream& err) {
  const v1::ListWorkersRequest req;
  return CallAndPrint<v1::ListWorkersResponse>(
      c,
      [&](grpc::ClientContext* ctx, v1::ListWorkersResponse* resp) { return c.sweeps().ListWorkers(ctx, req, resp); },
      {.json = WorkersJson,
       .indent = 2,
       .csv =
           [](const v1::ListWorkersResponse& resp, std::ostream& out) {
             PrintCsv(out, {"worker", "kind", "slots", "running", "trials", "last_seen"}, WorkerRows(resp));
           },
       .text =
           [](const v1::ListWorkersResponse& resp, std::ostream& out) {
             if (resp.workers().empty()) {
               out << "no workers connected (none called in within a lease): nothing can run until one does; start "
                      "one with hpsearch-worker --server HOST:PORT\n";
               return;
             }
             PrintTable(out, {"WORKER", "KIND", "SLOTS", "RUNNING", "TRIALS", "LAST SEEN"}, WorkerRows(resp));
           }},
      out, err);
}

int RunHealth(Connection& c, std::ostream& out, std::ostream& err) {
  using grpc::health::v1::HealthCheckResponse;
  const grpc::health::v1::HealthCheckRequest req;
  auto name = [](const HealthCheckResponse& resp) { return HealthCheckResponse::ServingStatus_Name(resp.status()); };
  return CallAndPrint<HealthCheckResponse>(
      c, [&](grpc::ClientContext* ctx, HealthCheckResponse* resp) { return c.health().Check(ctx, req, resp); },
      {.json =
           [&](const HealthCheckResponse& resp) {
             return json{{"server", c.options().server}, {"status", name(resp)}};
           },
       .text = [&](const HealthCheckResponse& resp, std::ostream& out) { out << name(resp) << "\n"; },
       .code =
           [](const HealthCheckResponse& resp) {
             return resp.status() == HealthCheckResponse::SERVING ? kExitOk : kExitNotServing;
           }},
      out, err);
}

int RunVersion(Connection& c, const std::string& client_version, std::ostream& out, std::ostream&) {
  v1::GetServerInfoRequest req;
  v1::ServerInfo info;
  auto ctx = c.Call();
  const grpc::Status st = c.sweeps().GetServerInfo(ctx.get(), req, &info);
  if (c.options().format == OutputFormat::kJson) {
    json j = {{"client", client_version}};
    if (st.ok()) {
      j["server"] = {{"address", c.options().server},
                     {"version", info.version()},
                     {"schema_version", info.schema_version()},
                     {"embedded_slots", info.embedded_slots()}};
    } else {
      j["server"] = {{"address", c.options().server}, {"error", st.error_message()}};
    }
    out << j.dump() << "\n";
    return kExitOk;
  }
  out << "hpsearch " << client_version << "\n";
  if (st.ok()) {
    out << "server " << Printable(info.version()) << " at " << c.options().server << " (database schema v"
        << info.schema_version() << ", " << info.embedded_slots() << " embedded worker slots)\n";
  } else {
    out << "server at " << c.options().server << ": not reachable (" << Printable(st.error_message()) << ")\n";
  }
  return kExitOk;
}

namespace {

class HealthCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    return AddCommand(app, "health", "Is the server serving? (usable as a Docker HEALTHCHECK)", "hpsearch health");
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override { return RunHealth(c, ctx.out, ctx.err); }
};

// Works without a server: then the CLI's version alone.
class VersionCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    return AddCommand(app, "version", "Print the version", "hpsearch version");
  }
  int Run(Context& ctx) override {
    if (!ServerAddressProblem(ctx.global.server).empty()) {
      ctx.out << "hpsearch " << HPSEARCH_VERSION << "\n";
      return kExitOk;
    }
    GlobalOptions g = ctx.global;
    g.timeout_seconds = std::min(g.timeout_seconds, 2.0);  // a missing server is an answer, not a wait
    Connection c(g);
    return RunVersion(c, HPSEARCH_VERSION, ctx.out, ctx.err);
  }
};

class WorkersCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    return AddCommand(app, "workers",
                      "Workers that can run trials now: embedded slots and remote workers, with their trials",
                      "hpsearch workers");
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override { return RunWorkers(c, ctx.out, ctx.err); }
};

}  // namespace

std::unique_ptr<Command> MakeHealthCommand() { return std::make_unique<HealthCommand>(); }
std::unique_ptr<Command> MakeVersionCommand() { return std::make_unique<VersionCommand>(); }
std::unique_ptr<Command> MakeWorkersCommand() { return std::make_unique<WorkersCommand>(); }

}  // namespace hpsearch::client
