// NSGA-II (Deb et al., IEEE TEC 2002), the genetic algorithm for several objectives,
// as Optuna's NSGAIISampler runs it (docs/spec.md, "method: nsga2").
//
// Trials come in generations. Generation 0 is random. A new trial joins the newest
// generation until that generation has `population` completed trials; then the next
// one starts. The parents of generation g are the elite of generation g−1's completed
// trials together with g−1's own parents: whole non-domination ranks while they fit
// in `population`, the next rank cut by crowding distance (the most isolated first).
// They are chosen once, when generation g's first trial is drawn. A child: with
// probability crossover_prob, two parents chosen by binary tournament (the one that
// dominates the other wins, else either) are crossed uniformly (each parameter from
// the second with swapping_prob), else a copy of one parent; then each parameter is
// drawn afresh with mutation_prob (1 / searched parameters by default). A parameter
// the parents lack (a conditional one now active) is drawn afresh too.
//
// With one objective the trials rank by it. Deterministic for a sequence of
// observations; after a restart the generations are rebuilt in trial order.
#pragma once

#include <map>
#include <optional>
#include <unordered_set>
#include <vector>

#include "search/objectives.h"
#include "search/strategy.h"

namespace hpsearch::search {

class Nsga2Strategy final : public Strategy {
 public:
  Nsga2Strategy(SearchSpace space, const Nsga2Options& options, uint64_t seed, int64_t max_trials,
                std::vector<ResolvedObjective> objectives);

  int64_t total() const override { return total_; }
  std::optional<Params> Next() override;
  std::string note() const override { return note_; }
  void Observe(const Observation& trial) override;
  void Skip(int64_t n) override { next_ = n; }
  void Restore(int64_t next_index, const std::vector<Observation>& history) override;
  bool learns() const override { return true; }

  // The generation trial `index` joined when first observed (-1: not observed yet).
  int generation(int64_t index) const;
  // Children bred from parents (the rest were random: generation 0, or duplicates).
  int64_t bred() const { return bred_; }

  // Draws of a child before a duplicate falls back to a random configuration.
  static constexpr int kBreedAttempts = 16;

 private:
  struct Trial {
    Params params;
    TrialState state = TrialState::kRunning;
    ObjectiveVector losses;  // completed: every objective, minimised
    int generation = 0;
  };
  // The generation a trial drawn now joins.
  int CurrentGeneration() const;
  // The parents of generation g (cached once chosen). REQUIRES: g >= 1.
  const std::vector<int64_t>& Parents(int g);
  // The elite `population` of `candidates` (trial indices).
  std::vector<int64_t> Elite(std::vector<int64_t> candidates) const;
  // A binary tournament among `pool`.
  int64_t Tournament(const std::vector<int64_t>& pool, Rng& rng) const;
  Params Breed(const std::vector<int64_t>& parents, Rng& rng) const;
  bool Take(const Params& p);

  SearchSpace space_;
  Nsga2Options options_;
  uint64_t seed_;
  int64_t total_;
  std::vector<ResolvedObjective> objectives_;  // one objective: its metric, maximize
  double mutation_prob_;
  std::map<int64_t, Trial> trials_;  // by index
  std::map<int, std::vector<int64_t>> parents_;
  std::unordered_set<uint64_t> seen_;
  int64_t next_ = 0;  // its own draws so far (enqueued trials are not among them)
  int64_t bred_ = 0;
  std::string note_;
};

}  // namespace hpsearch::search
