// The Parzen estimator of TPE: a weighted mixture of one kernel per observation plus
// one broad prior kernel, over one or more searched dimensions (Bergstra et al. 2011;
// the rules below are Optuna's, `samplers/_tpe/parzen_estimator.py`).
//
// Each dimension lives in TPE's own coordinates (an Axis): a range in its units, or
// in log units with `scale: log`; a discrete range (integers, `step`) is widened by
// half a step at each end so its end values get whole cells; a categorical one is
// the index of its value. Per numeric dimension a kernel is a normal truncated to the
// axis, centred on the observation, with the "neighbour gap" bandwidth: the larger
// distance to the next observation below and above (the prior's centre and the
// axis ends count as neighbours; the outermost observations use their inner gap
// only), clipped to [(high − low) / min(100, n + 2), high − low]. The prior kernel
// sits at the axis centre with width high − low. A discrete value's density is the
// kernel's mass over its cell. A categorical kernel gives its observed value weight
// 1 + prior/(n + 1) and every other prior/(n + 1), normalised; the prior's is uniform.
// With several dimensions a kernel is the product of its per-dimension kernels.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "common/util/rng.h"
#include "search/search_space.h"

namespace hpsearch::search {

// One searched dimension in TPE's coordinates.
class Axis {
 public:
  // REQUIRES: `d` is a range or a categorical dimension.
  explicit Axis(const Dimension& d);

  bool categorical() const { return categorical_; }
  int choices() const { return static_cast<int>(dim_->values.size()); }
  double low() const { return low_; }
  double high() const { return high_; }
  // A value of the dimension in axis coordinates (for a categorical one: the index
  // of the value, -1 if it is none of them).
  double Encode(const Value& v) const;
  // The value a point of the axis stands for (snapped to the dimension's values).
  Value Decode(double x) const;
  // A discrete range's cell around the (snapped) point x; for a continuous one
  // {x, x}.
  std::pair<double, double> Cell(double x) const;
  bool discrete() const { return discrete_; }

 private:
  const Dimension* dim_;  // outlives the axis (owned by the strategy's SearchSpace)
  bool categorical_ = false;
  bool log_ = false;
  bool discrete_ = false;
  double low_ = 0, high_ = 0;
};

class ParzenEstimator {
 public:
  // `points[i][a]`: observation i on axis a (axis coordinates, snapped); `weights[i]`
  // its weight (> 0). REQUIRES: every point has axes.size() coordinates.
  ParzenEstimator(const std::vector<const Axis*>& axes, const std::vector<std::vector<double>>& points,
                  const std::vector<double>& weights, double prior_weight = 1.0);

  // A point drawn from the mixture (snapped to each axis's values).
  std::vector<double> Sample(Rng& rng) const;
  // log density of a (snapped) point.
  double LogPdf(const std::vector<double>& x) const;

  // For tests: kernel k's centre and width on numeric axis a (the prior is last).
  double mu(int k, int a) const { return mu_[a][k]; }
  double sigma(int k, int a) const { return sigma_[a][k]; }
  int kernels() const { return static_cast<int>(weights_.size()); }

 private:
  std::vector<const Axis*> axes_;
  std::vector<double> weights_;  // normalised, prior last
  std::vector<double> log_weights_;
  std::vector<std::vector<double>> mu_, sigma_;  // [axis][kernel]; empty for categorical axes
  // [axis][kernel]: −log of the kernel's mass on the axis (its truncation), and for a
  // continuous axis also −log σ: what a density term adds besides the exponent.
  std::vector<std::vector<double>> log_norm_;
  std::vector<std::vector<std::vector<double>>> log_p_;  // [axis][kernel][choice]; categorical axes
};

// Optuna's default weights for n observations in trial order: all 1 below 25; else
// the newest 25 weigh 1 and the older ones ramp linearly from 1/n up to 1.
std::vector<double> RecencyWeights(std::size_t n);

}  // namespace hpsearch::search
