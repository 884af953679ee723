// Trials as a table or CSV: which columns (every parameter the sweep searches, fixed
// settings on request, the metrics asked for, run details in wide output) and how
// they print. One shape for `trials`, `best` and `export`.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "hpsearch/v1/trial.pb.h"
#include "search/spec.h"

namespace hpsearch::client {

struct TrialColumns {
  std::vector<std::string> params;   // in spec order: searched, then fixed when asked
  std::vector<std::string> metrics;  // after the parameters
  bool rank = false;                 // a RANK column first (best; several objectives: the Pareto rank)
  // A multi-objective sweep's objectives: a column each in place of OBJECTIVE.
  std::vector<std::string> objectives;
  bool wide = false;  // STARTED, ATTEMPT, WORKER, EPOCHS, NET PARAMS after TIME
  // A REASON column last: why each trial ended as it did (a failure's reason on one
  // line, cut to 80 characters; `hpsearch trial` has it whole).
  bool reasons = false;
  // The sweep's objective metric: a trial that did not complete shows its last value
  // of it, at the epoch it stopped ("0.4127 @3"). Empty: "-".
  std::string objective_metric;
};

// Whether the table shows `t`'s last reported value in place of an objective.
bool LastValueShown(const hpsearch::v1::Trial& t, const TrialColumns& columns);

// The parameter columns of a sweep's tables: every searched parameter, even when the
// shown rows share its value (that is what explains the winners), then the fixed
// settings with `show_fixed`. Without the spec: every parameter the trials carry.
std::vector<std::string> ParamColumns(const std::optional<search::Spec>& spec,
                                      const std::vector<hpsearch::v1::Trial>& trials, bool show_fixed);

void PrintTrialTable(const std::vector<hpsearch::v1::Trial>& trials, const TrialColumns& columns, std::ostream& out);

// The one CSV shape of trials (export, trials -o csv, best -o csv): trial, status,
// objective, a column per parameter and per metric, then run details. Exact numbers.
// A multi-objective sweep's trials add pareto_rank (0: on the Pareto front; empty: not
// completed) after objective.
void PrintTrialCsv(const std::vector<hpsearch::v1::Trial>& trials, std::ostream& out);

// A trial's run time so far ("-" before it started), as Duration() prints it.
std::string RunTime(const hpsearch::v1::Trial& t);

}  // namespace hpsearch::client
