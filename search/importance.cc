#include "search/importance.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace hpsearch::search {

namespace {

constexpr int kSteps = 50;
constexpr double kPriorWeight = 1.0;

// A parameter's grid: how many cells, and which cell a value falls in (-1: none).
struct Grid {
  int cells = 0;
  std::function<int(const Value&)> cell;
};

Grid GridOf(const Parameter& p) {
  Grid g;
  if (p.domain == Parameter::Domain::kValues) {
    g.cells = static_cast<int>(p.values.size());
    g.cell = [&p](const Value& v) {
      auto it = std::find(p.values.begin(), p.values.end(), v);
      return it == p.values.end() ? -1 : static_cast<int>(it - p.values.begin());
    };
    return g;
  }
  const Range& r = p.range;
  const bool log = r.scale == Scale::kLog && r.min > 0;
  int steps = kSteps;
  if (r.integer && !log) steps = std::min<int>(steps, static_cast<int>(std::llround(r.max - r.min)) + 1);
  if (r.integer && log) steps = std::min<int>(steps, static_cast<int>(std::ceil(std::log2(r.max - r.min + 1))) + 1);
  if (r.step && *r.step > 0 && !log)
    steps = std::min<int>(steps, static_cast<int>(std::llround((r.max - r.min) / *r.step)) + 1);
  g.cells = std::max(steps, 1);
  const double lo = log ? std::log(r.min) : r.min, hi = log ? std::log(r.max) : r.max;
  const int cells = g.cells;
  g.cell = [=](const Value& v) {
    if (!v.is_number()) return -1;
    double x = v.number();
    if (log) {
      if (!(x > 0)) return -1;
      x = std::log(x);
    }
    if (cells == 1 || hi <= lo) return 0;
    const double size = (hi - lo) / (cells - 1);
    // Midpoint ties go to the lower cell (as Optuna does).
    const int i = static_cast<int>(std::ceil((x - lo) / size - 0.5));
    return std::clamp(i, 0, cells - 1);
  };
  return g;
}

double Phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// The Parzen estimator of `counts` on cells 0..n-1, evaluated on every cell.
std::vector<double> ParzenOnGrid(const std::vector<double>& counts, bool categorical) {
  const int n = static_cast<int>(counts.size());
  std::vector<int> obs;
  std::vector<double> w;
  for (int i = 0; i < n; ++i) {
    if (counts[i] > 0) {
      obs.push_back(i);
      w.push_back(counts[i]);
    }
  }
  std::vector<double> pdf(n, 0.0);
  if (obs.empty()) {
    std::fill(pdf.begin(), pdf.end(), 1.0 / n);
    return pdf;
  }
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  const double norm = total + kPriorWeight;  // mixture weights: counts and the prior
  if (categorical) {
    // Each observed category's kernel: mostly itself, smoothed by the prior; the prior
    // kernel: uniform.
    const double kernels = static_cast<double>(obs.size()) + 1;
    const double row = kPriorWeight / kernels * n + 1.0;  // each observed kernel's sum
    for (size_t k = 0; k < obs.size(); ++k) {
      for (int c = 0; c < n; ++c) pdf[c] += w[k] / norm * (kPriorWeight / kernels + (c == obs[k] ? 1.0 : 0.0)) / row;
    }
    for (int c = 0; c < n; ++c) pdf[c] += kPriorWeight / norm / n;
    return pdf;
  }
  // Scott's rule over the cell indices, weighted by counts.
  double mean = 0;
  for (size_t k = 0; k < obs.size(); ++k) mean += w[k] * obs[k];
  mean /= total;
  double var = 0;
  for (size_t k = 0; k < obs.size(); ++k) var += w[k] * (obs[k] - mean) * (obs[k] - mean);
  double sigma = std::sqrt(var / std::max(1.0, total - 1));
  std::vector<double> cum(w.size());
  std::partial_sum(w.begin(), w.end(), cum.begin());
  const double q1_at = std::floor(total / 4), q3_at = std::floor(total * 3 / 4);
  const size_t q1 = static_cast<size_t>(std::lower_bound(cum.begin(), cum.end(), q1_at) - cum.begin());
  const size_t q3 = static_cast<size_t>(std::upper_bound(cum.begin(), cum.end(), q3_at) - cum.begin());
  const double iqr = obs[std::min(obs.size() - 1, q3)] - obs[std::min(obs.size() - 1, q1)];
  sigma = 1.059 * std::min(iqr / 1.34, sigma) * std::pow(total, -0.2);
  sigma = std::max(sigma, 0.5 / 1.64);
  // Discrete normals truncated to the grid: the mass of [c - 0.5, c + 0.5].
  auto add = [&](double mu, double s, double weight) {
    const double z = Phi((n - 0.5 - mu) / s) - Phi((-0.5 - mu) / s);
    for (int c = 0; c < n; ++c) pdf[c] += weight * (Phi((c + 0.5 - mu) / s) - Phi((c - 0.5 - mu) / s)) / z;
  };
  for (size_t k = 0; k < obs.size(); ++k) add(obs[k], sigma, w[k] / norm);
  add((n - 1) / 2.0, n, kPriorWeight / norm);  // the prior: wide, centred
  return pdf;
}

double PearsonDivergence(const std::vector<double>& top, const std::vector<double>& all) {
  double d = 0;
  for (size_t c = 0; c < top.size(); ++c) {
    const double p = top[c] + 1e-12, q = all[c] + 1e-12;
    d += q * (p / q - 1) * (p / q - 1);
  }
  return d;
}

}  // namespace

std::vector<ParamImportance> PedAnovaImportance(const Spec& spec,
                                                const std::vector<std::pair<Params, double>>& completed, bool maximize,
                                                double target_quantile) {
  std::vector<ParamImportance> out;
  std::vector<const Parameter*> searched;
  for (const auto& p : spec.parameters) {
    const bool several = (p.domain == Parameter::Domain::kValues && p.values.size() > 1) ||
                         (p.domain == Parameter::Domain::kRange && p.range.max > p.range.min);
    if (several) {
      searched.push_back(&p);
      out.push_back({p.name, 0.0});
    }
  }
  const size_t n = completed.size();
  if (n < 2) return out;
  // The best trials: losses at or below the target quantile's (inverted CDF).
  std::vector<double> loss(n);
  for (size_t i = 0; i < n; ++i) loss[i] = maximize ? -completed[i].second : completed[i].second;
  std::vector<double> sorted = loss;
  const size_t cut = static_cast<size_t>(std::max(1.0, std::ceil(target_quantile * n))) - 1;
  std::nth_element(sorted.begin(), sorted.begin() + cut, sorted.end());
  const double cutoff = sorted[cut];
  std::vector<bool> top(n);
  size_t n_top = 0;
  for (size_t i = 0; i < n; ++i) n_top += (top[i] = loss[i] <= cutoff);
  if (n_top == n) return out;  // every trial is among the best: nothing to tell apart
  const double quantile = static_cast<double>(n_top) / n;
  double total = 0;
  for (size_t j = 0; j < searched.size(); ++j) {
    const Parameter& p = *searched[j];
    const Grid grid = GridOf(p);
    std::vector<double> c_top(grid.cells, 0.0), c_all(grid.cells, 0.0);
    double in_top = 0, in_all = 0;  // trials where the parameter is active
    for (size_t i = 0; i < n; ++i) {
      auto it = completed[i].first.find(p.name);
      if (it == completed[i].first.end()) continue;
      const int c = grid.cell(it->second);
      if (c < 0) continue;
      c_all[c] += 1;
      in_all += 1;
      if (top[i]) {
        c_top[c] += 1;
        in_top += 1;
      }
    }
    if (in_top == 0) continue;
    const bool categorical = p.domain == Parameter::Domain::kValues;
    const double alpha = in_top / n_top, beta = in_all / n;
    const double div = PearsonDivergence(ParzenOnGrid(c_top, categorical), ParzenOnGrid(c_all, categorical));
    out[j].importance = alpha * alpha / beta * div * quantile * quantile;
    total += out[j].importance;
  }
  if (total > 0) {
    for (auto& o : out) o.importance /= total;
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ParamImportance& a, const ParamImportance& b) { return a.importance > b.importance; });
  return out;
}

}  // namespace hpsearch::search
