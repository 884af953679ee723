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
  const double v =
      log ? std::pow(10.0, std::log10(min) + t * (std::log10(max) - std::log10(min))) : min + t * (max - min);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return std::strtod(buf, nullptr);
}

int64_t StepCount(double min, double max, double step) {
  return static_cast<int64_t>(std::floor((max - min) / step + 1e-9)) + 1;
}

}  // namespace

bool Dimension::Discrete() const { return kind != Kind::kRange || integer || step.has_value(); }

// The distinct points of an integer range with `count` (its spacing may give one
// integer to several indices), as runs over the distinct index j, built by one scan
// of the count's points: a run is either contiguous integers (value v0 + i) or one
// point per index (the value of point k0 + i). A linear or log spacing makes a
// handful of runs, however many points it has.
struct IntegerRuns {
  struct Run {
    uint64_t first = 0;  // distinct index of its first value
    bool contiguous = true;
    int64_t v0 = 0, k0 = 0;
    uint64_t size = 1;
  };
  std::vector<Run> runs;
  uint64_t size = 0;
};

namespace {

int64_t CountPoint(const Dimension& d, int64_t k) {
  return static_cast<int64_t>(std::llround(Spaced(d.min, d.max, k, *d.count, d.log)));
}

std::shared_ptr<const IntegerRuns> BuildRuns(const Dimension& d) {
  auto out = std::make_shared<IntegerRuns>();
  int64_t prev = 0, prev_k = -1;
  for (int64_t k = 0; k < *d.count; ++k) {
    const int64_t v = CountPoint(d, k);
    if (k > 0 && v == prev) continue;  // repeated: not a new point
    IntegerRuns::Run* r = out->runs.empty() ? nullptr : &out->runs.back();
    const bool next_int = r && v == prev + 1 && (r->size == 1 || r->contiguous);
    const bool next_index = r && k == prev_k + 1 && (r->size == 1 || !r->contiguous);
    if (next_int || next_index) {
      r->contiguous = next_int;
      r->size++;
    } else {
      out->runs.push_back(IntegerRuns::Run{out->size, true, v, k, 1});
    }
    out->size++;
    prev = v;
    prev_k = k;
  }
  return out;
}

}  // namespace

bool GridPointsDistinct(const Range& r) {
  // Spacing is even (or evenly logarithmic), so the closest points in 12 significant
  // digits are at one end or the other.
  const bool log = r.scale == Scale::kLog;
  const int64_t n = r.count ? *r.count : StepCount(r.min, r.max, *r.step);
  const auto point = [&](int64_t k) {
    return r.count ? Spaced(r.min, r.max, k, n, log) : Quantised(r.min, *r.step, k);
  };
  if (n < 2) return true;
  return point(0) != point(1) && point(n - 2) != point(n - 1);
}

uint64_t Dimension::GridSize() const {
  if (kind != Kind::kRange) return values.size();
  if (integer_runs) return integer_runs->size;
  if (count) return static_cast<uint64_t>(*count);
  if (step) return static_cast<uint64_t>(StepCount(min, max, *step));
  return static_cast<uint64_t>(std::llround(max) - std::llround(min) + 1);  // integers
}

Value Dimension::GridValue(uint64_t k) const {
  if (kind != Kind::kRange) return values[k];
  if (integer_runs) {
    const auto& runs = integer_runs->runs;
    auto it = std::upper_bound(runs.begin(), runs.end(), k,
                               [](uint64_t j, const IntegerRuns::Run& r) { return j < r.first; });
    const IntegerRuns::Run& r = *(it - 1);
    const auto i = static_cast<int64_t>(k - r.first);
    return Value(r.contiguous ? r.v0 + i : CountPoint(*this, r.k0 + i));
  }
  const auto i = static_cast<int64_t>(k);
  if (count) return Number(Spaced(min, max, i, *count, log), integer);
  if (step) return Number(Quantised(min, *step, i), integer);
  return Value(static_cast<int64_t>(std::llround(min)) + i);  // integers
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
        if (d.integer && d.count) d.integer_runs = BuildRuns(d);
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
  // A stored spec from before the bound was checked at submission meets it here.
  if (auto st = CheckConditionCombinations(spec); !st.ok()) return st;
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
