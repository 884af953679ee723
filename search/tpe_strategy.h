// TPE: the Tree-structured Parzen Estimator (Bergstra et al., NeurIPS 2011), as
// Optuna's TPESampler does it (v5 defaults; docs/spec.md, "method: tpe").
//
// The first `startup_trials` suggestions (counted in finished trials) are random.
// After that, the finished trials (completed, and pruned ones with their last value)
// split into the γ(n) = min(⌈0.1·n⌉, 25) best ("below") and the rest ("above");
// pruned trials fill the below set only after every completed one, those that got
// further first. With constant_liar every running trial joins "above", so parallel
// workers are steered away from what is already being tried. A Parzen estimator l(x)
// is fitted to below and g(x) to above (weights: RecencyWeights in trial order);
// `candidates` draws from l(x) compete on log l(x) − log g(x).
//
// Several objectives (multi-objective TPE, as Optuna's): the below set is the
// γ(n) = ⌈0.1·n⌉ completed trials of the best non-domination ranks, the last rank
// that does not fit whole cut by greedy hypervolume subset selection; l(x) weighs
// them alike.
//
// multivariate: one joint estimator over the parameters every observed trial has;
// the others (conditional ones, `when`) are chosen one at a time, each from the
// trials that have it, parents first. Otherwise every parameter is on its own.
//
// Deterministic: suggestion i depends on the seed, i, and the observations so far
// (in index order). After a restart Restore() rebuilds the history from the store.
// Duplicates of earlier configurations are redrawn, as in random search.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <unordered_set>

#include "search/objectives.h"
#include "search/parzen_estimator.h"
#include "search/strategy.h"

namespace hpsearch::search {

class TpeStrategy final : public Strategy {
 public:
  // `group(i)`: trial i learns only from trials of its own group (Hyperband's
  // brackets); none: one group.
  // `objectives`: a multi-objective sweep's (then `maximize` is ignored); else empty.
  TpeStrategy(SearchSpace space, const TpeOptions& options, uint64_t seed, int64_t max_trials, bool maximize,
              std::function<int(int64_t)> group = nullptr, std::vector<ResolvedObjective> objectives = {});

  int64_t total() const override { return total_; }
  std::optional<Params> Next() override;
  PreparedNext PrepareNext() override;
  std::optional<Params> AcceptNext(const PreparedNext& job, std::optional<Params> result) override;
  std::string note() const override { return note_; }
  void Observe(const Observation& trial) override;
  void Skip(int64_t n) override {
    next_ = n;
    attempt_ = 0;
  }
  void Restore(int64_t next_index, const std::vector<Observation>& history) override;
  bool learns() const override { return true; }

  // Suggestions TPE made (the rest were random: start-up, or redraws of duplicates).
  int64_t modelled() const { return modelled_; }

  // Redraws of a duplicate suggestion before falling back to random ones.
  static constexpr int kModelRedraws = 8;

  struct Trial {
    // Per dimension: its value in axis coordinates; NaN where the trial lacks it (an
    // inactive conditional parameter) or the dimension is not modelled.
    std::vector<double> x;
    TrialState state = TrialState::kRunning;
    double loss = 0;  // value, negated when maximising (smaller is better)
    int64_t epoch = 0;
    ObjectiveVector losses;  // several objectives: every one's, as `loss`
  };
  // What a suggestion reads besides the trials; immutable once built, shared by the
  // strategy and its prepared jobs (which may outlive it).
  struct Model {
    SearchSpace space;
    TpeOptions options;
    uint64_t seed = 0;
    bool multi_objective = false;
    std::vector<std::unique_ptr<Axis>> axes;  // per dimension; null for constants and empty ranges
  };
  using Snapshot = std::vector<std::pair<int64_t, Trial>>;  // a group's trials, by index

 private:
  // The trials suggestion `index` learns from (its group's), copied.
  Snapshot TrialsFor(int64_t index) const;
  // A configuration in axis coordinates (Trial::x).
  std::vector<double> Coordinates(const Params& p) const;
  int Group(int64_t index) const { return group_ ? group_(index) : 0; }
  // Takes a configuration as trial next_ if it is new.
  bool Take(const Params& p);

  std::shared_ptr<const Model> model_;
  int64_t total_;
  bool maximize_;
  std::function<int(int64_t)> group_;
  std::vector<ResolvedObjective> objectives_;
  std::map<int64_t, Trial> trials_;  // by index
  std::unordered_set<uint64_t> seen_;
  int64_t next_ = 0;
  int attempt_ = 0;  // model draws of trial next_ already tried (kModelRedraws: random)
  int64_t modelled_ = 0;
  std::string note_;
};

}  // namespace hpsearch::search
