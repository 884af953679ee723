// The searched parameters of a validated spec, compiled for the strategies:
// domains, per-parameter grid values, and the `when` conditions in dependency order.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/util/rng.h"
#include "common/util/value.h"
#include "search/spec.h"

namespace hpsearch::search {

struct IntegerRuns;

struct Dimension {
  enum class Kind { kCategorical, kRange, kConstant };
  std::string name;
  Kind kind = Kind::kConstant;
  std::vector<Value> values;  // categorical (also a constant's single value)
  double min = 0, max = 0;
  bool log = false;
  bool integer = false;
  std::optional<double> step;
  std::optional<int64_t> count;
  // Conditions: active only when each parent holds one of the listed values.
  struct Condition {
    int parent;  // index into SearchSpace::dims
    std::vector<Value> values;
  };
  std::vector<Condition> when;
  bool is_parent = false;  // some other dimension's condition names this one
  // An integer range with `count`: its distinct points as runs (search_space.cc),
  // built once by SearchSpace::Build; shared by copies.
  std::shared_ptr<const IntegerRuns> integer_runs;

  // The grid's points for this dimension (REQUIRES: discrete — categorical,
  // constant, or a range with count/step, or an integer range), computed from their
  // index: nothing is materialised, so a dimension of 10^7 points costs no more than
  // one of 3. GridValue(k) for 0 <= k < GridSize(), in increasing order for ranges;
  // an integer range with `count` skips the integers its spacing repeats (a log
  // grid of 20 points over [1, 16] has 16, not 20).
  Value GridValue(uint64_t k) const;
  uint64_t GridSize() const;
  // Whether a random draw can only produce finitely many values.
  bool Discrete() const;
  Value Sample(Rng& rng) const;
  // The value a draw could produce nearest to `v` (a range: on its step or an
  // integer, clamped to [min, max]).
  Value Snap(double v) const;
};

// Whether a real-valued range's `count` or `step` points are distinct numbers once
// written with 12 significant digits (as grid points are). REQUIRES: count or step.
bool GridPointsDistinct(const Range& r);

class SearchSpace {
 public:
  // REQUIRES: `spec` passed ValidateSpec.
  static absl::StatusOr<SearchSpace> Build(const Spec& spec);

  const std::vector<Dimension>& dims() const { return dims_; }
  // Dimensions in an order where parents come before their children.
  const std::vector<int>& order() const { return order_; }
  const Params& fixed() const { return fixed_; }
  // Whether dims_[d] is active given the values chosen so far (parents first).
  bool Active(int d, const Params& chosen) const;
  // One random configuration: every active dimension drawn independently, the
  // fixed settings merged in.
  Params Draw(Rng& rng) const;

 private:
  std::vector<Dimension> dims_;
  std::vector<int> order_;
  Params fixed_;
};

}  // namespace hpsearch::search
