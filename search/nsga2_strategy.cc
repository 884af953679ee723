#include "search/nsga2_strategy.h"

#include <algorithm>
#include <cmath>

namespace hpsearch::search {

namespace {

constexpr uint64_t kBreedSalt = 0x5a17c0de2b9e4f31ull;

// The generator of breeding attempt `attempt` of trial `index`.
Rng BreedRng(uint64_t seed, int64_t index, int attempt) {
  return Rng(DeriveSeed(seed ^ kBreedSalt,
                        static_cast<uint64_t>(index) * Nsga2Strategy::kBreedAttempts + static_cast<uint64_t>(attempt)));
}

}  // namespace

Nsga2Strategy::Nsga2Strategy(SearchSpace space, const Nsga2Options& options, uint64_t seed, int64_t max_trials,
                             std::vector<ResolvedObjective> objectives)
    : space_(std::move(space)), options_(options), seed_(seed), total_(max_trials), objectives_(std::move(objectives)) {
  int searched = 0;
  for (const auto& d : space_.dims()) searched += d.kind == Dimension::Kind::kConstant ? 0 : 1;
  mutation_prob_ = options_.mutation_prob.value_or(1.0 / std::max(1, searched));
}

int Nsga2Strategy::generation(int64_t index) const {
  auto it = trials_.find(index);
  return it == trials_.end() ? -1 : it->second.generation;
}

void Nsga2Strategy::Observe(const Observation& o) {
  // A trial joins the generation current when it is first observed: as it starts,
  // right after Next() drew it (or an ask enqueued it).
  auto it = trials_.find(o.index);
  if (it == trials_.end()) {
    it = trials_.emplace(o.index, Trial{o.params, o.state, {}, CurrentGeneration()}).first;
    seen_.insert(ConfigHash(o.params));  // an enqueued configuration is not drawn again
  }
  Trial& t = it->second;
  t.state = o.state;
  t.losses.clear();
  if (o.state != TrialState::kCompleted) return;
  std::vector<double> values = o.values;
  if (values.empty() && o.value && objectives_.size() == 1) values = {*o.value};
  const bool whole = values.size() == objectives_.size() &&
                     std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
  if (whole) {
    t.losses = AsLosses(objectives_, values);
  } else {
    t.state = TrialState::kFailed;  // nothing to rank it by
  }
}

void Nsga2Strategy::Restore(int64_t next_index, const std::vector<Observation>& history) {
  next_ = next_index;
  std::vector<const Observation*> ordered;
  for (const auto& o : history) ordered.push_back(&o);
  std::stable_sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) { return a->index < b->index; });
  // Generations as if the trials had completed in index order.
  for (const Observation* o : ordered) {
    seen_.insert(ConfigHash(o->params));
    Observe(*o);
  }
}

int Nsga2Strategy::CurrentGeneration() const {
  int newest = 0;
  int64_t completed = 0;
  for (const auto& [i, t] : trials_) {
    if (t.state != TrialState::kCompleted) continue;
    if (t.generation > newest) {
      newest = t.generation;
      completed = 0;
    }
    if (t.generation == newest) ++completed;
  }
  return completed >= options_.population ? newest + 1 : newest;
}

std::vector<int64_t> Nsga2Strategy::Elite(std::vector<int64_t> candidates) const {
  const auto population = static_cast<std::size_t>(options_.population);
  if (candidates.size() <= population) return candidates;
  std::vector<ObjectiveVector> losses;
  for (int64_t i : candidates) losses.push_back(trials_.at(i).losses);
  const std::vector<int> rank = NonDominatedRanks(losses);
  std::vector<int64_t> elite;
  for (int r = 0; elite.size() < population; ++r) {
    std::vector<std::size_t> front;
    for (std::size_t j = 0; j < candidates.size(); ++j) {
      if (rank[j] == r) front.push_back(j);
    }
    if (elite.size() + front.size() <= population) {
      for (std::size_t j : front) elite.push_back(candidates[j]);
      continue;
    }
    std::vector<ObjectiveVector> points;
    for (std::size_t j : front) points.push_back(losses[j]);
    const std::vector<double> crowding = CrowdingDistances(points);
    std::vector<std::size_t> order(front.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return crowding[a] > crowding[b]; });
    for (std::size_t k = 0; elite.size() < population; ++k) elite.push_back(candidates[front[order[k]]]);
  }
  return elite;
}

const std::vector<int64_t>& Nsga2Strategy::Parents(int g) {
  if (auto it = parents_.find(g); it != parents_.end()) return it->second;
  std::vector<int64_t> candidates = g >= 2 ? Parents(g - 1) : std::vector<int64_t>{};
  for (const auto& [i, t] : trials_) {
    if (t.generation == g - 1 && t.state == TrialState::kCompleted) candidates.push_back(i);
  }
  // A parent of g−1 no longer completed (a retried trial) has nothing to rank it by.
  std::erase_if(candidates, [&](int64_t i) { return trials_.at(i).state != TrialState::kCompleted; });
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  return parents_[g] = Elite(std::move(candidates));
}

int64_t Nsga2Strategy::Tournament(const std::vector<int64_t>& pool, Rng& rng) const {
  const int64_t a = pool[rng.Below(pool.size())];
  const int64_t b = pool[rng.Below(pool.size())];
  if (Dominates(trials_.at(a).losses, trials_.at(b).losses)) return a;
  if (Dominates(trials_.at(b).losses, trials_.at(a).losses)) return b;
  return rng.Uniform() < 0.5 ? a : b;
}

Params Nsga2Strategy::Breed(const std::vector<int64_t>& parents, Rng& rng) const {
  const Params* first = &trials_.at(Tournament(parents, rng)).params;
  const Params* second = first;
  if (rng.Uniform() < options_.crossover_prob && parents.size() >= 2) {
    std::vector<int64_t> others;
    for (int64_t i : parents) {
      if (&trials_.at(i).params != first) others.push_back(i);
    }
    second = &trials_.at(Tournament(others, rng)).params;
  }
  const auto& dims = space_.dims();
  Params p = space_.fixed();
  Params chosen;
  for (int d : space_.order()) {
    if (!space_.Active(d, chosen)) continue;
    const Dimension& dim = dims[d];
    const Params* from = rng.Uniform() < options_.swapping_prob ? second : first;
    const Params* other = from == first ? second : first;
    const Value* inherited = nullptr;  // this parent's value, else the other's, else none
    if (auto it = from->find(dim.name); it != from->end()) {
      inherited = &it->second;
    } else if (auto jt = other->find(dim.name); jt != other->end()) {
      inherited = &jt->second;
    }
    const bool mutate = rng.Uniform() < mutation_prob_;
    Value v = (mutate || inherited == nullptr) ? dim.Sample(rng) : *inherited;
    chosen[dim.name] = v;
    p[dim.name] = std::move(v);
  }
  return p;
}

bool Nsga2Strategy::Take(const Params& p) {
  if (!seen_.insert(ConfigHash(p)).second) return false;
  ++next_;
  return true;
}

std::optional<Params> Nsga2Strategy::Next() {
  if (next_ >= total_) return std::nullopt;
  const int64_t index = next_;
  const int g = CurrentGeneration();
  if (g >= 1) {
    const std::vector<int64_t> parents = Parents(g);
    for (int attempt = 0; !parents.empty() && attempt < kBreedAttempts; ++attempt) {
      Rng rng = BreedRng(seed_, index, attempt);
      Params p = Breed(parents, rng);
      if (Take(p)) {
        ++bred_;
        return p;
      }
    }
  }
  // Random, as a random search's trial `index` would be (redrawn on duplicates).
  Rng rng(DeriveSeed(seed_, static_cast<uint64_t>(index)));
  for (int dup = 0; dup < kMaxDuplicateDraws; ++dup) {
    Params p = space_.Draw(rng);
    if (Take(p)) return p;
  }
  note_ = ExhaustedNote(next_);
  total_ = next_;
  return std::nullopt;
}

}  // namespace hpsearch::search
