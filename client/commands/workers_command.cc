// workers: who can run trials now (the embedded slots, each remote hpsearch-worker),
// and what they hold; version: the CLI's and the server's.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

int RunWorkers(Connection& c, std::ostream& out, std::ostream& err) {
  std::vector<v1::Worker> workers;
  grpc::Status st = FetchWorkers(c, &workers);
  if (!st.ok()) return ReportError(st, c.options(), err);
  const int64_t now = NowMs();
  if (c.options().output == "json") {
    json list = json::array();
    for (const auto& w : workers) {
      json running = json::array();
      for (const auto& t : w.running())
        running.push_back({{"sweep", t.sweep_id()}, {"trial", t.index()}, {"attempt", t.attempt()}});
      list.push_back({{"name", w.name()},
                      {"embedded", w.embedded()},
                      {"slots", std::vector<std::string>(w.slots().begin(), w.slots().end())},
                      {"last_seen_ms", w.last_seen_ms()},
                      {"running", running}});
    }
    out << list.dump(2) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& w : workers) {
    std::vector<std::string> trials;
    for (const auto& t : w.running()) trials.push_back(absl::StrCat(t.sweep_id(), "/", t.index()));
    rows.push_back({w.name(), w.embedded() ? "embedded" : "remote", std::to_string(w.slots_size()),
                    std::to_string(w.running_size()), trials.empty() ? "-" : absl::StrJoin(trials, " "),
                    Age(w.last_seen_ms(), now)});
  }
  if (c.options().output == "csv") {
    PrintCsv(out, {"worker", "kind", "slots", "running", "trials", "last_seen"}, rows);
    return kExitOk;
  }
  if (rows.empty()) {
    out << "no workers connected (none called in within a lease): nothing can run until one does; start one with "
           "hpsearch-worker --server HOST:PORT\n";
    return kExitOk;
  }
  PrintTable(out, {"WORKER", "KIND", "SLOTS", "RUNNING", "TRIALS", "LAST SEEN"}, rows);
  return kExitOk;
}

int RunVersion(Connection& c, const std::string& client_version, std::ostream& out, std::ostream&) {
  v1::GetServerInfoRequest req;
  v1::ServerInfo info;
  auto ctx = c.Call();
  const grpc::Status st = c.sweeps().GetServerInfo(ctx.get(), req, &info);
  if (c.options().output == "json") {
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

}  // namespace hpsearch::client
