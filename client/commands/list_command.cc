// list: the sweeps, newest first, filtered by status and labels.
#include <algorithm>
#include <iostream>
#include <map>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/commands/commands.h"
#include "client/format.h"
#include "client/option_checks.h"
#include "client/views.h"
#include "common/util/did_you_mean.h"

namespace hpsearch::client {

namespace v1 = hpsearch::v1;
using nlohmann::json;

namespace {

std::string Progress(const v1::Sweep& s) {
  const auto& c = s.counts();
  return absl::StrFormat("%d/%d", c.completed() + c.failed() + c.pruned() + c.cancelled(), s.total_trials());
}

std::string Best(const v1::Sweep& s) { return s.has_best_objective() ? ObjectiveText(s.best_objective()) : "-"; }

// Which sweeps `list` shows: a status and labels, each matched when given.
struct SweepFilter {
  std::string status;
  std::map<std::string, std::string> labels;

  bool any() const { return !status.empty() || !labels.empty(); }
  bool Matches(const v1::Sweep& s) const {
    if (!status.empty() && StatusName(s.status()) != status) return false;
    for (const auto& [k, v] : labels) {
      const auto it = s.spec().labels().find(k);
      if (it == s.spec().labels().end() || it->second != v) return false;
    }
    return true;
  }
};

// The filter of --status and --label; on a bad value, the message.
absl::StatusOr<SweepFilter> MakeFilter(const ListOptions& o) {
  static const std::vector<std::string> kStatuses = {"running", "stopping", "completed", "failed", "cancelled"};
  SweepFilter f;
  if (!o.status.empty() && std::find(kStatuses.begin(), kStatuses.end(), o.status) == kStatuses.end()) {
    return absl::InvalidArgumentError(absl::StrCat("--status: '", o.status,
                                                   "' is not one of running, stopping, completed, failed, cancelled",
                                                   DidYouMean(o.status, kStatuses)));
  }
  f.status = o.status;
  for (const auto& label : o.labels) {
    const auto eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("--label '", label, "': give NAME=VALUE, e.g. -l team=vision"));
    }
    f.labels[label.substr(0, eq)] = label.substr(eq + 1);
  }
  return f;
}

// Every sweep the filter matches, page by page (so `limit`, when not 0, counts matches).
grpc::Status FetchSweeps(Connection& c, const SweepFilter& filter, int32_t limit, std::vector<v1::Sweep>* sweeps) {
  auto room = [&] { return limit == 0 || static_cast<int32_t>(sweeps->size()) < limit; };
  std::string token;
  do {
    v1::ListSweepsRequest req;
    req.set_page_size(1000);
    req.set_page_token(token);
    v1::ListSweepsResponse resp;
    auto ctx = c.Call();
    if (grpc::Status st = c.sweeps().ListSweeps(ctx.get(), req, &resp); !st.ok()) return st;
    for (const auto& s : resp.sweeps()) {
      if (filter.Matches(s) && room()) sweeps->push_back(s);
    }
    token = resp.next_page_token();
  } while (!token.empty() && room());
  return grpc::Status::OK;
}

void PrintSweepsCsv(const std::vector<v1::Sweep>& sweeps, std::ostream& out) {
  std::vector<std::vector<std::string>> csv;
  for (const auto& s : sweeps) {
    const json j = SweepJson(s);
    csv.push_back({s.id(), s.name(), j["status"], std::to_string(j["done"].get<int64_t>()),
                   std::to_string(s.total_trials()), std::to_string(s.counts().running()),
                   std::to_string(s.counts().failed()), j["best_objective"].is_null() ? "" : j["best_objective"].dump(),
                   j["best_trial"].is_null() ? "" : j["best_trial"].dump(), std::to_string(s.created_ms()),
                   std::to_string(s.finished_ms())});
  }
  PrintCsv(out,
           {"id", "name", "status", "done", "total", "running", "failed", "best_objective", "best_trial", "created_ms",
            "finished_ms"},
           csv);
}

// The objective's name beside BEST (sweeps of one list optimise different things),
// and a LABELS column when any sweep has labels.
void PrintSweepsTable(const std::vector<v1::Sweep>& sweeps, bool filtered, std::ostream& out) {
  if (sweeps.empty()) {
    out << (filtered ? "no sweeps match\n" : "no sweeps yet: submit one with `hpsearch submit SPEC.yaml`\n");
    return;
  }
  const int64_t now = NowMs();
  const bool any_labels =
      std::any_of(sweeps.begin(), sweeps.end(), [](const v1::Sweep& s) { return s.spec().labels_size() > 0; });
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : sweeps) {
    const auto objective = Objective(s);
    rows.push_back({s.id(), s.name(), StatusName(s.status()), Progress(s), std::to_string(s.counts().running()),
                    std::to_string(s.counts().failed()), Best(s),
                    objective ? (objective->second ? "max " : "min ") + objective->first : "-",
                    Age(s.created_ms(), now)});
    if (any_labels) rows.back().push_back(LabelsText(s));
  }
  std::vector<std::string> header = {"ID", "NAME", "STATUS", "DONE", "RUNNING", "FAILED", "BEST", "OF", "CREATED"};
  if (any_labels) header.push_back("LABELS");
  PrintTable(out, header, rows);
}

}  // namespace

int RunList(Connection& c, const ListOptions& o, std::ostream& out, std::ostream& err) {
  const auto filter = MakeFilter(o);
  if (!filter.ok()) {
    err << "error: " << filter.status().message() << "\n";
    return kExitUsage;
  }
  std::vector<v1::Sweep> sweeps;
  if (grpc::Status st = FetchSweeps(c, *filter, o.limit, &sweeps); !st.ok()) {
    return ReportError(st, c.options(), err);
  }
  switch (c.options().format) {
    case OutputFormat::kJson: {
      json a = json::array();
      for (const auto& s : sweeps) a.push_back(SweepJson(s));
      out << a.dump(2) << "\n";
      break;
    }
    case OutputFormat::kCsv:
      PrintSweepsCsv(sweeps, out);
      break;
    default:
      PrintSweepsTable(sweeps, filter->any(), out);
  }
  return kExitOk;
}

namespace {

class ListCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "list", "Sweeps, newest first", "hpsearch list --status running -l team=vision");
    cmd->add_option("--limit", options_.limit, "Most sweeps to show (0 = all)")->check(kNonNegative);
    cmd->add_option("--status", options_.status,
                    "Only sweeps with this status: running, stopping, completed, failed, cancelled");
    cmd->add_option("-l,--label", options_.labels, "Only sweeps labelled NAME=VALUE (repeatable: all must match)");
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override { return RunList(c, options_, ctx.out, ctx.err); }

 private:
  ListOptions options_;
};

}  // namespace

std::unique_ptr<Command> MakeListCommand() { return std::make_unique<ListCommand>(); }

}  // namespace hpsearch::client
