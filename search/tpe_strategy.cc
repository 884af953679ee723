#include "search/tpe_strategy.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace hpsearch::search {

namespace {

constexpr uint64_t kModelSalt = 0x7c3a5e1f9b2d4680ull;

// The draw among `candidates` from l with the best log l(x) − log g(x).
std::vector<double> BestCandidate(const ParzenEstimator& l, const ParzenEstimator& g, int candidates, Rng& rng) {
  std::vector<double> best;
  double best_score = -std::numeric_limits<double>::infinity();
  for (int c = 0; c < candidates; ++c) {
    std::vector<double> x = l.Sample(rng);
    const double score = l.LogPdf(x) - g.LogPdf(x);
    if (best.empty() || score > best_score) {
      best_score = score;
      best = std::move(x);
    }
  }
  return best;
}

}  // namespace

namespace {

using Trial = TpeStrategy::Trial;
using Model = TpeStrategy::Model;

using Ranked = std::vector<std::pair<int64_t, const Trial*>>;

// One objective: the n_below best completed trials, then the pruned ones that got
// furthest.
void SplitByLoss(Ranked completed, Ranked pruned, std::size_t n_below, Ranked& below, Ranked& above) {
  std::stable_sort(completed.begin(), completed.end(), [](const auto& a, const auto& b) {
    return a.second->loss < b.second->loss || (a.second->loss == b.second->loss && a.first < b.first);
  });
  std::stable_sort(pruned.begin(), pruned.end(), [](const auto& a, const auto& b) {
    if (a.second->epoch != b.second->epoch) return a.second->epoch > b.second->epoch;
    return a.second->loss < b.second->loss || (a.second->loss == b.second->loss && a.first < b.first);
  });
  for (const auto& c : completed) (below.size() < n_below ? below : above).push_back(c);
  for (const auto& p : pruned) (below.size() < n_below ? below : above).push_back(p);
}

// Several objectives: whole non-domination ranks while they fit in n_below, the next
// one cut by greedy hypervolume subset selection.
void SplitByRank(const Ranked& completed, std::size_t n_below, Ranked& below, Ranked& above) {
  std::vector<ObjectiveVector> losses;
  for (const auto& c : completed) losses.push_back(c.second->losses);
  const std::vector<int> rank = NonDominatedRanks(losses);
  std::vector<std::size_t> count;
  for (int r : rank) {
    if (static_cast<std::size_t>(r) >= count.size()) count.resize(static_cast<std::size_t>(r) + 1, 0);
    ++count[static_cast<std::size_t>(r)];
  }
  std::size_t whole = 0;  // ranks below this one go below whole
  for (std::size_t taken = 0; whole < count.size() && taken + count[whole] <= n_below; ++whole) taken += count[whole];
  std::vector<bool> in(completed.size(), false);
  std::size_t taken = 0;
  std::vector<std::size_t> tie;
  for (std::size_t i = 0; i < completed.size(); ++i) {
    if (static_cast<std::size_t>(rank[i]) < whole) {
      in[i] = true;
      ++taken;
    } else if (static_cast<std::size_t>(rank[i]) == whole) {
      tie.push_back(i);
    }
  }
  if (taken < n_below && !tie.empty()) {
    std::vector<ObjectiveVector> points;
    for (std::size_t i : tie) points.push_back(losses[i]);
    for (std::size_t j : GreedyHypervolumeSubset(points, n_below - taken, ReferencePoint(points))) in[tie[j]] = true;
  }
  for (std::size_t i = 0; i < completed.size(); ++i) (in[i] ? below : above).push_back(completed[i]);
}

// TPE's suggestion for trial `index` from its group's trials, or nullopt while in
// start-up.
std::optional<Params> Suggest(const Model& m, const TpeStrategy::Snapshot& trials, Rng& rng) {
  Ranked completed, pruned, running;
  for (const auto& [i, t] : trials) {
    if (t.state == TrialState::kCompleted) completed.emplace_back(i, &t);
    if (t.state == TrialState::kPruned) pruned.emplace_back(i, &t);
    if (t.state == TrialState::kRunning) running.emplace_back(i, &t);
  }
  const std::size_t n = completed.size() + pruned.size();
  if (n < static_cast<std::size_t>(m.options.startup_trials)) return std::nullopt;

  // The split: γ(n) = ⌈0.1·n⌉ trials below (at most 25 with one objective).
  std::size_t n_below = static_cast<std::size_t>(std::ceil(0.1 * static_cast<double>(n)));
  Ranked below, above;
  if (m.multi_objective) {
    SplitByRank(completed, n_below, below, above);
    above.insert(above.end(), pruned.begin(), pruned.end());
  } else {
    SplitByLoss(completed, pruned, std::min<std::size_t>(n_below, 25), below, above);
  }
  if (m.options.constant_liar) above.insert(above.end(), running.begin(), running.end());
  auto by_index = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::sort(below.begin(), below.end(), by_index);
  std::sort(above.begin(), above.end(), by_index);

  const auto& dims = m.space.dims();
  auto has = [](const Trial* t, int d) { return !std::isnan(t->x[static_cast<std::size_t>(d)]); };
  // Fits l and g over `axes` (dimension indices) from the trials that have all of them.
  auto fit = [&](const std::vector<int>& ds, const Ranked& set) {
    std::vector<const Axis*> axes;
    for (int d : ds) axes.push_back(m.axes[d].get());
    std::vector<std::vector<double>> points;
    for (const auto& [i, t] : set) {
      if (!std::all_of(ds.begin(), ds.end(), [&](int d) { return has(t, d); })) continue;
      std::vector<double> x;
      for (int d : ds) x.push_back(t->x[static_cast<std::size_t>(d)]);
      points.push_back(std::move(x));
    }
    // Several objectives: the below set's trials weigh alike (ranks have no recency).
    const bool alike = m.multi_objective && &set == &below;
    const std::size_t count = points.size();
    return ParzenEstimator(axes, std::move(points), alike ? std::vector<double>(count, 1.0) : RecencyWeights(count));
  };

  // The joint dimensions: modelled ones every finished trial of the group has.
  std::vector<int> joint;
  std::vector<double> joint_x;
  if (m.options.multivariate && n > 0) {
    for (std::size_t d = 0; d < dims.size(); ++d) {
      if (!m.axes[d]) continue;
      const int di = static_cast<int>(d);
      const bool everywhere =
          std::all_of(completed.begin(), completed.end(), [&](const auto& t) { return has(t.second, di); }) &&
          std::all_of(pruned.begin(), pruned.end(), [&](const auto& t) { return has(t.second, di); });
      if (everywhere) joint.push_back(di);
    }
    if (!joint.empty()) joint_x = BestCandidate(fit(joint, below), fit(joint, above), m.options.candidates, rng);
  }

  Params p = m.space.fixed();
  Params chosen;
  for (int d : m.space.order()) {
    if (!m.space.Active(d, chosen)) continue;
    Value v;
    if (auto it = std::find(joint.begin(), joint.end(), d); it != joint.end()) {
      v = m.axes[d]->Decode(joint_x[static_cast<std::size_t>(it - joint.begin())]);
    } else if (!m.axes[d]) {
      v = dims[d].Sample(rng);
    } else {
      const std::vector<double> x = BestCandidate(fit({d}, below), fit({d}, above), m.options.candidates, rng);
      v = m.axes[d]->Decode(x[0]);
    }
    chosen[dims[d].name] = v;
    p[dims[d].name] = std::move(v);
  }
  return p;
}

// The generator of model draw `attempt` of trial `index`.
Rng ModelRng(uint64_t seed, int64_t index, int attempt) {
  return Rng(DeriveSeed(seed ^ kModelSalt,
                        static_cast<uint64_t>(index) * TpeStrategy::kModelRedraws + static_cast<uint64_t>(attempt)));
}

}  // namespace

TpeStrategy::TpeStrategy(SearchSpace space, const TpeOptions& options, uint64_t seed, int64_t max_trials, bool maximize,
                         std::function<int(int64_t)> group, std::vector<ResolvedObjective> objectives)
    : total_(max_trials), maximize_(maximize), group_(std::move(group)), objectives_(std::move(objectives)) {
  auto m = std::make_shared<Model>();
  m->multi_objective = !objectives_.empty();
  m->space = std::move(space);
  m->options = options;
  m->seed = seed;
  for (const auto& d : m->space.dims()) {
    const bool modelled = (d.kind == Dimension::Kind::kRange && d.max > d.min) ||
                          (d.kind == Dimension::Kind::kCategorical && d.values.size() >= 2);
    m->axes.push_back(modelled ? std::make_unique<Axis>(d) : nullptr);
  }
  model_ = std::move(m);
}

std::vector<double> TpeStrategy::Coordinates(const Params& p) const {
  const auto& dims = model_->space.dims();
  std::vector<double> x(dims.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t d = 0; d < dims.size(); ++d) {
    const Axis* axis = model_->axes[d].get();
    if (!axis) continue;
    auto it = p.find(dims[d].name);
    if (it == p.end()) continue;
    const double v = axis->Encode(it->second);
    if (!axis->categorical() || v >= 0) x[d] = v;
  }
  return x;
}

void TpeStrategy::Observe(const Observation& o) {
  auto [at, fresh] = trials_.try_emplace(o.index);
  if (fresh) seen_.insert(ConfigHash(o.params));  // an enqueued configuration is not drawn again
  Trial& t = at->second;
  t.x = Coordinates(o.params);
  t.state = o.state;
  t.epoch = o.epoch;
  t.loss = 0;
  t.losses.clear();
  if (o.value) t.loss = maximize_ ? -*o.value : *o.value;
  if ((o.state == TrialState::kCompleted || o.state == TrialState::kPruned) && (!o.value || !std::isfinite(t.loss)))
    t.state = TrialState::kFailed;  // nothing to learn from
  if (!objectives_.empty() && o.state == TrialState::kCompleted) {
    const bool whole = o.values.size() == objectives_.size() &&
                       std::all_of(o.values.begin(), o.values.end(), [](double v) { return std::isfinite(v); });
    if (whole) {
      t.losses = AsLosses(objectives_, o.values);
    } else {
      t.state = TrialState::kFailed;
    }
  }
}

void TpeStrategy::Restore(int64_t next_index, const std::vector<Observation>& history) {
  next_ = next_index;
  attempt_ = 0;
  for (const auto& o : history) {
    Observe(o);
    seen_.insert(ConfigHash(o.params));
  }
}

TpeStrategy::Snapshot TpeStrategy::TrialsFor(int64_t index) const {
  const int group = Group(index);
  Snapshot out;
  out.reserve(trials_.size());
  for (const auto& [i, t] : trials_) {
    if (Group(i) == group && t.state != TrialState::kWaiting && t.state != TrialState::kFailed) out.emplace_back(i, t);
  }
  return out;
}

bool TpeStrategy::Take(const Params& p) {
  if (!seen_.insert(ConfigHash(p)).second) return false;
  ++next_;
  attempt_ = 0;
  return true;
}

std::optional<Params> TpeStrategy::Next() {
  if (next_ >= total_) return std::nullopt;
  const int64_t index = next_;
  if (attempt_ < kModelRedraws) {
    const Snapshot trials = TrialsFor(index);
    for (; attempt_ < kModelRedraws; ++attempt_) {
      Rng rng = ModelRng(model_->seed, index, attempt_);
      auto p = Suggest(*model_, trials, rng);
      if (!p) break;  // start-up: random
      if (Take(*p)) {
        ++modelled_;
        return p;
      }
    }
  }
  // Random, as a random search's trial `index` would be (redrawn on duplicates).
  Rng rng(DeriveSeed(model_->seed, static_cast<uint64_t>(index)));
  for (int dup = 0; dup < kMaxDuplicateDraws; ++dup) {
    Params p = model_->space.Draw(rng);
    if (Take(p)) return p;
  }
  note_ = ExhaustedNote(next_);
  total_ = next_;
  return std::nullopt;
}

Strategy::PreparedNext TpeStrategy::PrepareNext() {
  if (next_ >= total_ || attempt_ >= kModelRedraws) return {};
  Snapshot trials = TrialsFor(next_);
  const auto finished = std::count_if(trials.begin(), trials.end(), [](const auto& t) {
    return t.second.state == TrialState::kCompleted || t.second.state == TrialState::kPruned;
  });
  if (finished < model_->options.startup_trials) return {};  // start-up: Next() draws at random, cheaply
  PreparedNext job;
  job.index = next_;
  job.attempt = attempt_;
  job.run = [model = model_, trials = std::move(trials), index = next_, attempt = attempt_] {
    Rng rng = ModelRng(model->seed, index, attempt);
    return Suggest(*model, trials, rng);
  };
  return job;
}

std::optional<Params> TpeStrategy::AcceptNext(const PreparedNext& job, std::optional<Params> result) {
  if (job.index != next_ || job.attempt != attempt_) return std::nullopt;  // moved on meanwhile
  if (!result) {
    attempt_ = kModelRedraws;  // start-up: Next() draws at random
    return std::nullopt;
  }
  if (!Take(*result)) {
    ++attempt_;
    return std::nullopt;
  }
  ++modelled_;
  return result;
}

}  // namespace hpsearch::search
