// The sweep spec as the search reads it (docs/spec.md): what to train, what to
// search over, how to rank trials and when to stop. The CLI parses it from YAML
// (search/spec_file.h); on the wire it is hpsearch.v1.SweepSpec
// (proto/convert/spec_convert.h). Plain data: validation is ValidateSpec's job.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/protocol/command.h"
#include "common/util/rng.h"
#include "common/util/value.h"
#include "common/vocabulary/datasets.h"

namespace hpsearch::search {

enum class Goal { kUnspecified, kMinimize, kMaximize };
enum class Method { kUnspecified, kGrid, kRandom, kTpe, kNsga2 };  // unspecified: random
enum class Scale { kLinear, kLog };

// A numeric interval [min, max], both ends inclusive.
struct Range {
  double min = 0, max = 0;
  Scale scale = Scale::kLinear;
  bool integer = false;          // `type: int`
  std::optional<double> step;    // values are min + k·step
  std::optional<int64_t> count;  // grid: this many evenly (log-)spaced points
};

// `when: {optimizer: [momentum, nesterov]}`: active only where `parent` takes one of
// `values`.
struct Condition {
  std::string parent;
  std::vector<Value> values;
};

struct Parameter {
  enum class Domain { kNone, kValues, kRange, kConstant };
  std::string name;  // a trainer setting (any name with trainer.command)
  Domain domain = Domain::kNone;
  std::vector<Value> values;    // kValues: categorical
  Range range;                  // kRange
  Value value;                  // kConstant
  std::vector<Condition> when;  // all must hold
};

struct Objective {
  std::string metric;  // "": the task's default (val_accuracy or val_loss)
  Goal goal = Goal::kUnspecified;
  std::optional<double> target;  // the sweep ends once a trial reaches it
};

struct Budget {
  int64_t max_trials = 0;           // random: default 20; grid: caps the grid
  int64_t max_failed = 0;           // 0: unlimited
  double max_duration_seconds = 0;  // 0: none
};

// `tpe:` (method: tpe): the Tree-structured Parzen Estimator's settings.
struct TpeOptions {
  int32_t startup_trials = 10;  // random suggestions until this many trials finished
  int32_t candidates = 24;      // draws from l(x) per suggestion
  bool multivariate = true;     // one joint model over the parameters every trial has
  bool constant_liar = true;    // running trials count as bad ones (parallel diversity)
};

// `nsga2:` (method: nsga2): NSGA-II's settings, as Optuna's NSGAIISampler has them.
struct Nsga2Options {
  int32_t population = 50;      // trials per generation; generation 0 is random
  double crossover_prob = 0.9;  // a child of two parents (else a copy of one), then mutated
  double swapping_prob = 0.5;   // uniform crossover: each parameter from the second parent
  // Per parameter: drawn afresh from its domain. Default: 1 / (searched parameters).
  std::optional<double> mutation_prob;
};

// `pruning:`: stopping poor trials early, judged on the objective at each epoch.
enum class PruningMethod { kNone, kMedian, kAsha, kHyperband };
struct Pruning {
  PruningMethod method = PruningMethod::kNone;
  // asha / hyperband
  int32_t min_epochs = 1;        // r: the first rung
  int32_t reduction_factor = 3;  // η: keep the top 1/η at each rung
  // median
  int32_t startup_trials = 5;  // completed trials before anything is pruned
  int32_t warmup_epochs = 1;   // epochs never judged
  int32_t interval = 1;        // judge every this many epochs after the warm-up
};

// `trainer:`: what runs a trial. The built-in trainer (the default) trains the
// network the settings describe; a command runs the user's own program
// (common/protocol/command.h); `external` trials run wherever the user's own loop
// runs them (ask and tell: a client asks for each trial and reports on its lease).
// With a command or external, parameters may have any names.
struct Trainer {
  enum class Kind { kBuiltin, kCommand, kExternal };
  Kind kind = Kind::kBuiltin;
  CommandSpec command;  // kCommand
  bool builtin() const { return kind == Kind::kBuiltin; }
  bool runs_command() const { return kind == Kind::kCommand; }
  bool external() const { return kind == Kind::kExternal; }
};

struct Spec {
  std::string name;
  Trainer trainer;
  vocabulary::DatasetOptions dataset;
  Objective objective;  // the first (or only) objective: pruning, `target`, the trials' objective column
  // `objective: [first, second, ...]`: the second onwards. Not empty: a multi-objective
  // sweep, whose best trials are its Pareto front (search/pareto.h).
  std::vector<Objective> other_objectives;
  Method method = Method::kUnspecified;
  uint64_t seed = 0;
  Budget budget;
  int32_t max_concurrent = 0;  // parallelism.max_concurrent; 0: no per-sweep cap
  TpeOptions tpe;              // method: tpe only
  Nsga2Options nsga2;          // method: nsga2 only
  Pruning pruning;
  Params fixed;                       // settings shared by every trial
  std::vector<Parameter> parameters;  // in spec order (it fixes the grid's order)
  // Free-form key=value tags (`team: vision`) to find sweeps by (`list -l team=vision`).
  std::map<std::string, std::string> labels;
};

inline bool MultiObjective(const Spec& spec) { return !spec.other_objectives.empty(); }

// The seed trial `index` of a sweep with this spec runs with (every attempt alike):
// derived from the sweep's seed, so `plan` can show it before the sweep exists.
inline uint64_t TrialSeed(const Spec& spec, int64_t index) {
  return DeriveSeed(spec.seed, static_cast<uint64_t>(index));
}

}  // namespace hpsearch::search
