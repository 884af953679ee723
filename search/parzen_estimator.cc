#include "search/parzen_estimator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace hpsearch::search {

namespace {

constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kLogSqrt2Pi = 0.91893853320467274;  // log √(2π)

// P(za < Z < zb) for a standard normal Z, accurate in both tails.
double NormalMass(double za, double zb) {
  if (za >= 0) return 0.5 * (std::erfc(za / kSqrt2) - std::erfc(zb / kSqrt2));
  if (zb <= 0) return 0.5 * (std::erfc(-zb / kSqrt2) - std::erfc(-za / kSqrt2));
  return 1.0 - 0.5 * std::erfc(zb / kSqrt2) - 0.5 * std::erfc(-za / kSqrt2);
}

double LogNormalMass(double za, double zb) {
  const double m = NormalMass(za, zb);
  if (m > 0) return std::log(m);
  // Both far out in one tail: the density at the nearer end times the width.
  const double z = za > 0 ? za : zb;
  return -0.5 * z * z - kLogSqrt2Pi + std::log(std::max(zb - za, 1e-300));
}

double LogSumExp(const std::vector<double>& v) {
  double m = -std::numeric_limits<double>::infinity();
  for (double x : v) m = std::max(m, x);
  if (!std::isfinite(m)) return m;
  double s = 0;
  for (double x : v) s += std::exp(x - m);
  return m + std::log(s);
}

}  // namespace

// ---------------------------------------------------------------------------- Axis

Axis::Axis(const Dimension& d) : dim_(&d) {
  if (d.kind != Dimension::Kind::kRange) {
    categorical_ = true;
    return;
  }
  log_ = d.log;
  discrete_ = d.integer || d.step.has_value();
  if (log_) {
    // Log-scaled integers: cells [v − ½, v + ½] in log units (as random draws do).
    low_ = std::log(d.integer ? std::max(d.min - 0.5, 0.5) : d.min);
    high_ = std::log(d.integer ? d.max + 0.5 : d.max);
  } else {
    const double half = discrete_ ? 0.5 * d.step.value_or(1.0) : 0.0;
    low_ = d.min - half;
    high_ = d.max + half;
  }
}

double Axis::Encode(const Value& v) const {
  if (categorical_) {
    for (std::size_t i = 0; i < dim_->values.size(); ++i) {
      if (dim_->values[i] == v) return static_cast<double>(i);
    }
    return -1;
  }
  const double x = v.number();
  return log_ ? std::log(x) : x;
}

Value Axis::Decode(double x) const {
  if (categorical_) return dim_->values[static_cast<std::size_t>(x)];
  return dim_->Snap(log_ ? std::exp(x) : x);
}

std::pair<double, double> Axis::Cell(double x) const {
  if (!discrete_) return {x, x};
  if (log_) {
    const double v = std::exp(x);
    return {std::max(std::log(std::max(v - 0.5, 0.5)), low_), std::min(std::log(v + 0.5), high_)};
  }
  const double half = 0.5 * dim_->step.value_or(1.0);
  return {std::max(x - half, low_), std::min(x + half, high_)};
}

// ---------------------------------------------------------------- ParzenEstimator

std::vector<double> RecencyWeights(std::size_t n) {
  std::vector<double> w(n, 1.0);
  if (n < 25) return w;
  const std::size_t ramp = n - 25;
  for (std::size_t i = 0; i < ramp; ++i) {
    // numpy.linspace(1/n, 1, ramp)
    const double t = ramp == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(ramp - 1);
    w[i] = 1.0 / static_cast<double>(n) + t * (1.0 - 1.0 / static_cast<double>(n));
  }
  return w;
}

ParzenEstimator::ParzenEstimator(const std::vector<const Axis*>& axes, const std::vector<std::vector<double>>& points,
                                 const std::vector<double>& weights, double prior_weight)
    : axes_(axes) {
  const std::size_t n = points.size();
  const std::size_t kernels = n + 1;
  weights_ = weights;
  weights_.push_back(prior_weight);
  const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
  for (double& w : weights_) w /= total;
  for (double w : weights_) log_weights_.push_back(std::log(w));

  mu_.resize(axes.size());
  sigma_.resize(axes.size());
  log_p_.resize(axes.size());
  log_norm_.resize(axes.size());
  for (std::size_t a = 0; a < axes.size(); ++a) {
    const Axis& axis = *axes[a];
    if (axis.categorical()) {
      const int c = axis.choices();
      const double prior = prior_weight / static_cast<double>(kernels);
      auto& rows = log_p_[a];
      rows.assign(kernels, std::vector<double>(static_cast<std::size_t>(c), 0.0));
      for (std::size_t k = 0; k < kernels; ++k) {
        std::vector<double> p(static_cast<std::size_t>(c), k < n ? prior : 1.0);
        if (k < n) {
          const auto observed = static_cast<std::size_t>(points[k][a]);
          if (observed < p.size()) p[observed] += 1.0;
        }
        const double sum = std::accumulate(p.begin(), p.end(), 0.0);
        for (int j = 0; j < c; ++j)
          rows[k][static_cast<std::size_t>(j)] = std::log(p[static_cast<std::size_t>(j)] / sum);
      }
      continue;
    }
    const double low = axis.low(), high = axis.high(), width = high - low;
    // Centres: the observations and the prior's, then neighbour gaps in sorted order.
    std::vector<double> mus(kernels);
    for (std::size_t i = 0; i < n; ++i) mus[i] = points[i][a];
    mus[n] = 0.5 * (low + high);
    std::vector<std::size_t> order(kernels);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return mus[x] < mus[y]; });
    std::vector<double> sorted(kernels + 2);
    sorted[0] = low;
    sorted[kernels + 1] = high;
    for (std::size_t i = 0; i < kernels; ++i) sorted[i + 1] = mus[order[i]];
    std::vector<double> sig(kernels);
    for (std::size_t i = 0; i < kernels; ++i) {
      double g = std::max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1]);
      // The outermost centres use their inner gap only (no endpoint pull).
      if (kernels >= 2 && i == 0) g = sorted[2] - sorted[1];
      if (kernels >= 2 && i == kernels - 1) g = sorted[kernels] - sorted[kernels - 1];
      sig[order[i]] = g;
    }
    const double min_sigma = width / std::min(100.0, static_cast<double>(n) + 2.0);
    for (double& g : sig) g = std::clamp(g, min_sigma, width);
    sig[n] = width;  // the prior
    std::vector<double> norm(kernels);
    for (std::size_t k = 0; k < kernels; ++k) {
      norm[k] = -LogNormalMass((low - mus[k]) / sig[k], (high - mus[k]) / sig[k]);
      if (!axis.discrete()) norm[k] -= std::log(sig[k]) + kLogSqrt2Pi;
    }
    mu_[a] = std::move(mus);
    sigma_[a] = std::move(sig);
    log_norm_[a] = std::move(norm);
  }
}

std::vector<double> ParzenEstimator::Sample(Rng& rng) const {
  // The kernel, by weight.
  double u = rng.Uniform();
  std::size_t k = 0;
  while (k + 1 < weights_.size() && u >= weights_[k]) u -= weights_[k++];
  std::vector<double> x(axes_.size());
  for (std::size_t a = 0; a < axes_.size(); ++a) {
    const Axis& axis = *axes_[a];
    if (axis.categorical()) {
      double r = rng.Uniform();
      const auto& row = log_p_[a][k];
      std::size_t j = 0;
      while (j + 1 < row.size() && r >= std::exp(row[j])) r -= std::exp(row[j++]);
      x[a] = static_cast<double>(j);
      continue;
    }
    // A normal truncated to the axis, by rejection: the centre lies on the axis and
    // the width is at most the axis's, so at least a third of the draws land.
    double v = 0;
    bool inside = false;
    for (int tries = 0; tries < 64 && !inside; ++tries) {
      v = rng.Normal(mu_[a][k], sigma_[a][k]);
      inside = v >= axis.low() && v <= axis.high();
    }
    if (!inside) v = rng.Uniform(axis.low(), axis.high());
    x[a] = axis.Encode(axis.Decode(v));
  }
  return x;
}

double ParzenEstimator::LogPdf(const std::vector<double>& x) const {
  std::vector<double> terms = log_weights_;
  for (std::size_t a = 0; a < axes_.size(); ++a) {
    const Axis& axis = *axes_[a];
    if (axis.categorical()) {
      const auto j = static_cast<std::size_t>(x[a]);
      for (std::size_t k = 0; k < terms.size(); ++k) terms[k] += log_p_[a][k][j];
      continue;
    }
    const auto [lo, hi] = axis.Cell(x[a]);
    const double* mu = mu_[a].data();
    const double* sigma = sigma_[a].data();
    const double* norm = log_norm_[a].data();
    if (axis.discrete()) {
      for (std::size_t k = 0; k < terms.size(); ++k)
        terms[k] += LogNormalMass((lo - mu[k]) / sigma[k], (hi - mu[k]) / sigma[k]) + norm[k];
    } else {
      for (std::size_t k = 0; k < terms.size(); ++k) {
        const double z = (x[a] - mu[k]) / sigma[k];
        terms[k] += -0.5 * z * z + norm[k];
      }
    }
  }
  return LogSumExp(terms);
}

}  // namespace hpsearch::search
