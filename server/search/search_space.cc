#include "search/search_space.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "search/conditions.h"

namespace hpsearch::search {

namespace {

Value Number(double v, bool integer) {
  if (integer) return Value(static_cast<int64_t>(std::llround(v)));
  return Value(v);
}

// min + k·step without binary noise (0.15, not 0.15000000000000002).
double Quantised(double min, double step, int64_t k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.12g", min + static_cast<double>(k) * step);
  return std::strtod(buf, nullptr);
}

// Index k of `count` evenly spaced points in [min, max] (log-spaced when `log`),
// rounded to 12 significant digits so that the points users expect are those
// decimals exactly: a log grid over [1e-4, 1e-1] is 0.0001, 0.001, 0.01, 0.1, not
// 0.0010000000000000002 (the exponent's rounding error).
double Spaced(double min, double max, int64_t k, int64_t count, bool log) {
  if (count <= 1) return min;
  const double t = static_cast<double>(k) / static_cast<double>(count - 1);
  if (k == 0) return min;
  if (k == count - 1) return max;
  const double v = log ? std::pow(10.0, std::log10(min) + t * (std::log10(max) - std::log10(min)))
                       : min + t * (max - min);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return std::strtod(buf, nullptr);
}

int64_t StepCount(double min, double max, double step) {
  return static_cast<int64_t>(std::floor((max - min) / step + 1e-9)) + 1;
}

}  // namespace

bool Dimension::Discrete() const {
  return kind != Kind::kRange || integer || step.has_value();
}

uint64_t Dimension::GridSize() const {
  if (kind != Kind::kRange) return values.size();
  if (count) return static_cast<uint64_t>(*count);
  if (step) return static_cast<uint64_t>(StepCount(min, max, *step));
  return static_cast<uint64_t>(std::llround(max) - std::llround(min) + 1);  // integers
}

std::vector<Value> Dimension::GridValues() const {
  if (kind != Kind::kRange) return values;
  std::vector<Value> out;
  const int64_t n = static_cast<int64_t>(GridSize());
  out.reserve(static_cast<std::size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    double v;
    if (count) v = Spaced(min, max, k, *count, log);
    else if (step) v = Quantised(min, *step, k);
    else v = std::round(min) + static_cast<double>(k);
    Value j = Number(v, integer);
    if (!out.empty() && out.back() == j) continue;  // log-spaced integers may repeat
    out.push_back(std::move(j));
  }
  return out;
}

Value Dimension::Sample(Rng& rng) const {
  if (kind != Kind::kRange) return values[rng.Below(values.size())];
  if (step) {
    const int64_t n = StepCount(min, max, *step);
    return Number(Quantised(min, *step, static_cast<int64_t>(rng.Below(static_cast<uint64_t>(n)))), integer);
  }
  if (integer && !log) {
    const int64_t lo = std::llround(min), hi = std::llround(max);
    return Value(lo + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(hi - lo + 1))));
  }
  if (integer) {
    // Log-uniform integers: sample in [min − ½, max + ½) so both ends are reachable.
    const double lo = std::log(std::max(min - 0.5, 0.5)), hi = std::log(max + 0.5);
    return Number(std::clamp(std::round(std::exp(rng.Uniform(lo, hi))), min, max), true);
  }
  const double v = log ? std::exp(rng.Uniform(std::log(min), std::log(max))) : rng.Uniform(min, max);
  return Value(std::clamp(v, min, max));
}

Params SearchSpace::Draw(Rng& rng) const {
  Params p = fixed_;
  Params chosen;
  for (int d : order_) {
    if (!Active(d, chosen)) continue;
    Value v = dims_[d].Sample(rng);
    chosen[dims_[d].name] = v;
    p[dims_[d].name] = std::move(v);
  }
  return p;
}

Value Dimension::Snap(double v) const {
  v = std::clamp(v, min, max);
  if (step) {
    const int64_t n = StepCount(min, max, *step);
    const int64_t k = std::clamp<int64_t>(std::llround((v - min) / *step), 0, n - 1);
    return Number(Quantised(min, *step, k), integer);
  }
  if (integer) return Value(static_cast<int64_t>(std::llround(v)));
  return Value(v);
}

absl::StatusOr<SearchSpace> SearchSpace::Build(const Spec& spec) {
  SearchSpace s;
  s.fixed_ = spec.fixed;
  std::map<std::string, int> index;
  for (const auto& p : spec.parameters) {
    Dimension d;
    d.name = p.name;
    switch (p.domain) {
      case Parameter::Domain::kValues:
        d.kind = Dimension::Kind::kCategorical;
        d.values = p.values;
        break;
      case Parameter::Domain::kRange: {
        const Range& r = p.range;
        d.kind = Dimension::Kind::kRange;
        d.min = r.min;
        d.max = r.max;
        d.log = r.scale == Scale::kLog;
        d.integer = r.integer;
        d.step = r.step;
        d.count = r.count;
        break;
      }
      case Parameter::Domain::kConstant:
        d.kind = Dimension::Kind::kConstant;
        d.values.push_back(p.value);
        break;
      default:
        return absl::InvalidArgumentError(absl::StrCat("parameters.", p.name, ": has no domain"));
    }
    index[d.name] = static_cast<int>(s.dims_.size());
    s.dims_.push_back(std::move(d));
  }
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    for (const auto& c : spec.parameters[i].when) {
      auto it = index.find(c.parent);
      if (it == index.end())
        return absl::InvalidArgumentError(
            absl::StrCat("parameters.", spec.parameters[i].name, ".when.", c.parent, ": unknown parameter"));
      s.dims_[it->second].is_parent = true;
      s.dims_[i].when.push_back(Dimension::Condition{it->second, c.values});
    }
  }
  auto order = ConditionOrder(spec);
  if (!order.ok()) return order.status();
  s.order_ = *std::move(order);
  return s;
}

bool SearchSpace::Active(int d, const Params& chosen) const {
  for (const auto& c : dims_[d].when) {
    const auto it = chosen.find(dims_[c.parent].name);
    if (it == chosen.end()) return false;  // the parent itself is inactive
    if (std::find(c.values.begin(), c.values.end(), it->second) == c.values.end()) return false;
  }
  return true;
}

}  // namespace hpsearch::search
