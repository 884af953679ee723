// How sweeps and trials look in the CLI's output: the stable JSON shapes of
// docs/cli.md, flattened rows for tables and CSV, and human formatting of times.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hpsearch/v1/trial.pb.h"
#include "nlohmann/json.hpp"
#include "search/spec.h"

namespace hpsearch::client {

std::string StatusName(hpsearch::v1::TrialStatus s);  // "completed"
std::string StatusName(hpsearch::v1::SweepStatus s);  // "running"
// Completed, failed or cancelled: nothing of the sweep runs or will.
bool SweepFinished(hpsearch::v1::SweepStatus s);
// The trials the sweep will have run when it ends, as far as is known now: its total,
// less those a stopping sweep will not start (what an ETA counts down to).
int64_t TrialsThatWillRun(const hpsearch::v1::Sweep& s);
// Running with trials waiting (pending or still to come) and none running, trials a
// worker would run (not an external sweep's): is any worker there?
bool WaitsForAWorker(const hpsearch::v1::Sweep& s);
// "completed" → COMPLETED; UNSPECIFIED for an unknown name.
hpsearch::v1::TrialStatus ParseTrialStatus(const std::string& name);

// {"trial", "status", "objective", "params", "metrics", "attempt", "worker",
//  "started_ms", "finished_ms", "seconds", "failure_reason", "parameter_count"}
nlohmann::json TrialJson(const hpsearch::v1::Trial& t);
// A list of trials, in the given order.
nlohmann::json TrialsJson(const std::vector<hpsearch::v1::Trial>& trials);
// With "epochs", "diagnostics" and "attempts" (the `trial` command).
nlohmann::json TrialDetailJson(const hpsearch::v1::Trial& t);
nlohmann::json SweepJson(const hpsearch::v1::Sweep& s);

// Union of parameter (or metric) names over trials, sorted.
std::vector<std::string> ParamNames(const std::vector<hpsearch::v1::Trial>& trials);
std::vector<std::string> MetricNames(const std::vector<hpsearch::v1::Trial>& trials);

std::string Duration(double seconds);               // "1h02m", "3m05s", "4.2s", "340ms"
std::string Age(int64_t since_ms, int64_t now_ms);  // "5m ago"
int64_t NowMs();
// "2026-11-24T18:50:00Z" ("-" for 0).
std::string Timestamp(int64_t unix_ms);
// The spec a sweep carries, decoded (none when it carries none or it does not decode).
std::optional<search::Spec> SpecOf(const hpsearch::v1::Sweep& s);
// What the sweep's strategy notes about its plan ("the first 6 of 12 grid points
// ..."), from the spec it carries; "" when nothing.
std::string PlanNote(const hpsearch::v1::Sweep& s);
// The sweep's objective metric and whether it is maximised, from the spec it carries.
std::optional<std::pair<std::string, bool>> Objective(const hpsearch::v1::Sweep& s);
// Objective of a sweep for headers: "val_accuracy (maximize)".
std::string ObjectiveLabel(const hpsearch::v1::Sweep& s);
// How a sweep searches: "tpe, pruning: asha" ("random" without pruning).
std::string SearchLabel(const search::Spec& spec);
// What a sweep trains on: "dataset iris", "dataset csv (houses.csv)" or the command.
std::string TrainerLabel(const search::Spec& spec);
// "owner=ann, team=vision" ("" without labels).
std::string LabelsText(const hpsearch::v1::Sweep& s);

}  // namespace hpsearch::client
