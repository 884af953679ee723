#include "client/views.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>
#include <set>

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "common/util/printable.h"
#include "common/util/value_json.h"
#include "proto/convert/spec_convert.h"
#include "proto/convert/value_convert.h"
#include "search/spec_validator.h"
#include "search/strategy.h"

namespace hpsearch::client {

namespace v1 = hpsearch::v1;
using nlohmann::json;

std::string StatusName(v1::TrialStatus s) {
  switch (s) {
    case v1::PENDING:
      return "pending";
    case v1::RUNNING:
      return "running";
    case v1::COMPLETED:
      return "completed";
    case v1::FAILED:
      return "failed";
    case v1::PRUNED:
      return "pruned";
    case v1::CANCELLED:
      return "cancelled";
    default:
      return "unknown";
  }
}

bool SweepFinished(v1::SweepStatus s) {
  return s == v1::SWEEP_COMPLETED || s == v1::SWEEP_FAILED || s == v1::SWEEP_CANCELLED;
}

int64_t TrialsThatWillRun(const v1::Sweep& s) {
  return s.total_trials() - (s.status() == v1::SWEEP_STOPPING ? s.counts().not_started() : 0);
}

bool WaitsForAWorker(const v1::Sweep& s) {
  const auto& k = s.counts();
  return s.status() == v1::SWEEP_RUNNING && k.running() == 0 && k.pending() + k.not_started() > 0 &&
         !s.spec().trainer().external();
}

std::string StatusName(v1::SweepStatus s) {
  switch (s) {
    case v1::SWEEP_RUNNING:
      return "running";
    case v1::SWEEP_STOPPING:
      return "stopping";
    case v1::SWEEP_COMPLETED:
      return "completed";
    case v1::SWEEP_FAILED:
      return "failed";
    case v1::SWEEP_CANCELLED:
      return "cancelled";
    default:
      return "unknown";
  }
}

v1::TrialStatus ParseTrialStatus(const std::string& name) {
  const std::string n = absl::AsciiStrToLower(name);
  for (int s = v1::PENDING; s <= v1::CANCELLED; ++s) {
    if (StatusName(static_cast<v1::TrialStatus>(s)) == n) return static_cast<v1::TrialStatus>(s);
  }
  return v1::TRIAL_STATUS_UNSPECIFIED;
}

json TrialJson(const v1::Trial& t) {
  json params = json::object();
  for (const auto& [k, v] : t.params()) {
    auto value = convert::FromProto(v, k);
    params[k] = value.ok() ? ToJson(*value) : json(nullptr);
  }
  json metrics = json::object();
  for (const auto& [k, v] : t.metrics()) metrics[k] = v;
  json j = {{"trial", t.index()},
            {"status", StatusName(t.status())},
            {"objective", t.has_objective() ? json(t.objective()) : json(nullptr)},
            {"params", params},
            {"metrics", metrics},
            {"attempt", t.attempt()},
            {"worker", t.worker()},
            {"started_ms", t.started_ms()},
            {"finished_ms", t.finished_ms()},
            {"seconds", t.finished_ms() > 0 && t.started_ms() > 0 ? json((t.finished_ms() - t.started_ms()) / 1000.0)
                                                                  : json(nullptr)},
            {"failure_reason", t.failure_reason()},
            {"epochs_run", t.epochs_run()},
            // 0 is "not known" (a program that never reported one, a trial not run):
            // null, an empty CSV cell, not a network of no parameters.
            {"parameter_count", t.parameter_count() > 0 ? json(t.parameter_count()) : json(nullptr)}};
  if (t.has_pareto_rank()) {  // a multi-objective sweep's completed trial
    j["objective_values"] = std::vector<double>(t.objective_values().begin(), t.objective_values().end());
    j["pareto_rank"] = t.pareto_rank();
  }
  return j;
}

json TrialsJson(const std::vector<v1::Trial>& trials) {
  json a = json::array();
  for (const auto& t : trials) a.push_back(TrialJson(t));
  return a;
}

json TrialDetailJson(const v1::Trial& t) {
  json j = TrialJson(t);
  j["seed"] = t.seed();
  json epochs = json::array();
  for (const auto& e : t.epochs()) {
    json m = json::object();
    for (const auto& [k, v] : e.metrics()) m[k] = v;
    epochs.push_back({{"epoch", e.epoch()}, {"metrics", m}, {"lr", e.lr()}, {"seconds", e.seconds()}});
  }
  j["epochs"] = epochs;
  json diag = json::array();
  for (const auto& d : t.diagnostics()) {
    diag.push_back({{"epoch", d.epoch()},
                    {"mean", std::vector<double>(d.mean().begin(), d.mean().end())},
                    {"std", std::vector<double>(d.std().begin(), d.std().end())}});
  }
  j["diagnostics"] = diag;
  json attempts = json::array();
  for (const auto& a : t.attempts()) {
    attempts.push_back({{"attempt", a.attempt()},
                        {"worker", a.worker()},
                        {"started_ms", a.started_ms()},
                        {"finished_ms", a.finished_ms()},
                        {"outcome", a.outcome()},
                        {"seed", a.seed()}});
  }
  j["attempts"] = attempts;
  return j;
}

std::optional<std::pair<std::string, bool>> Objective(const v1::Sweep& s) {
  const auto spec = SpecOf(s);
  if (!spec) return std::nullopt;
  return std::make_pair(search::ObjectiveMetric(*spec), search::ObjectiveMaximized(*spec));
}

std::optional<search::Spec> SpecOf(const v1::Sweep& s) {
  if (!s.has_spec()) return std::nullopt;
  auto spec = convert::FromProto(s.spec());
  if (!spec.ok()) return std::nullopt;
  return *std::move(spec);
}

std::string PlanNote(const v1::Sweep& s) {
  const auto spec = SpecOf(s);
  if (!spec) return "";
  auto strategy = search::MakeStrategy(*spec);
  return strategy.ok() ? (*strategy)->note() : "";
}

std::string ObjectiveLabel(const v1::Sweep& s) {
  if (s.has_pareto() && s.pareto().metrics_size() > 1) {  // several objectives, resolved by the server
    std::string out;
    for (int i = 0; i < s.pareto().metrics_size(); ++i) {
      out += (i ? ", " : "") + Printable(s.pareto().metrics(i)) +
             (i < s.pareto().maximize_size() && s.pareto().maximize(i) ? " (maximize)" : " (minimize)");
    }
    return out;
  }
  auto o = Objective(s);
  if (!o) return "objective";
  std::string out = Printable(o->first) + (o->second ? " (maximize)" : " (minimize)");
  if (const int more = s.spec().other_objectives_size(); more > 0)
    out += " and " + std::to_string(more) + " more objective" + (more == 1 ? "" : "s");
  return out;
}

std::string SearchLabel(const search::Spec& spec) {
  std::string out = search::MethodName(spec.method);
  switch (spec.pruning.method) {
    case search::PruningMethod::kNone:
      break;
    case search::PruningMethod::kMedian:
      out += ", pruning: median";
      break;
    case search::PruningMethod::kAsha:
      out += ", pruning: asha";
      break;
    case search::PruningMethod::kHyperband:
      out += ", pruning: hyperband";
      break;
  }
  return out;
}

std::string TrainerLabel(const search::Spec& spec) {
  if (spec.trainer.external()) return "external: the client that asks for each trial runs it (ask and tell)";
  if (spec.trainer.runs_command()) {
    std::string out = "command:";
    for (const auto& a : spec.trainer.command.argv) out += " " + a;
    return out;
  }
  std::string out = "dataset " + spec.dataset.name;
  if (!spec.dataset.path.empty()) out += " (" + spec.dataset.path + ")";
  return out;
}

std::string LabelsText(const v1::Sweep& s) {
  const std::map<std::string, std::string> labels(s.spec().labels().begin(), s.spec().labels().end());
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ", ") + k + "=" + v;
  return out;
}

json SweepJson(const v1::Sweep& s) {
  const auto& c = s.counts();
  const auto objective = Objective(s);
  const int64_t done = c.completed() + c.failed() + c.pruned() + c.cancelled();
  return {{"id", s.id()},
          {"name", s.name()},
          {"status", StatusName(s.status())},
          {"reason", s.status_reason()},
          {"total", s.total_trials()},
          {"done", done},
          {"counts",
           {{"pending", c.pending()},
            {"running", c.running()},
            {"completed", c.completed()},
            {"failed", c.failed()},
            {"pruned", c.pruned()},
            {"cancelled", c.cancelled()},
            {"not_started", c.not_started()}}},
          {"objective", objective
                            ? json{{"metric", objective->first}, {"goal", objective->second ? "maximize" : "minimize"}}
                            : json(nullptr)},
          {"labels", json(std::map<std::string, std::string>(s.spec().labels().begin(), s.spec().labels().end()))},
          {"best_objective", s.has_best_objective() ? json(s.best_objective()) : json(nullptr)},
          {"best_trial", s.best_trial() >= 0 ? json(s.best_trial()) : json(nullptr)},
          {"created_ms", s.created_ms()},
          {"finished_ms", s.finished_ms()}};
}

std::vector<std::string> ParamNames(const std::vector<v1::Trial>& trials) {
  std::set<std::string> names;
  for (const auto& t : trials) {
    for (const auto& [k, v] : t.params()) names.insert(k);
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> MetricNames(const std::vector<v1::Trial>& trials) {
  std::set<std::string> names;
  for (const auto& t : trials) {
    for (const auto& [k, v] : t.metrics()) names.insert(k);
  }
  return {names.begin(), names.end()};
}

std::string Duration(double s) {
  if (s < 0) s = 0;
  if (s < 1) return absl::StrFormat("%dms", static_cast<int64_t>(std::lround(s * 1000)));
  if (s < 60) return absl::StrFormat("%.1fs", s);
  const int64_t t = static_cast<int64_t>(s);
  if (t < 3600) return absl::StrFormat("%dm%02ds", t / 60, t % 60);
  if (t < 86400) return absl::StrFormat("%dh%02dm", t / 3600, (t % 3600) / 60);
  return absl::StrFormat("%dd%02dh", t / 86400, (t % 86400) / 3600);
}

std::string Age(int64_t since_ms, int64_t now_ms) {
  if (since_ms <= 0) return "-";
  const double s = (now_ms - since_ms) / 1000.0;
  if (s < 60) return absl::StrFormat("%ds ago", static_cast<int64_t>(std::max(0.0, s)));
  std::string d = Duration(s);
  // Coarse: "5m ago", "2h ago".
  const auto cut = d.find_first_of("mhd");
  return d.substr(0, cut + 1) + " ago";
}

std::string Timestamp(int64_t unix_ms) {
  if (unix_ms <= 0) return "-";
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace hpsearch::client
