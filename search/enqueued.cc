#include "search/enqueued.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/util/did_you_mean.h"
#include "common/util/printable.h"

namespace hpsearch::search {

namespace {

absl::Status Bad(const std::string& name, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("params.", Printable(name), ": ", what));
}

bool SameValue(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return a.number() == b.number();
  return a == b;
}

// The given value, checked against its dimension and typed as a draw would be.
absl::StatusOr<Value> Checked(const Dimension& d, const Value& v) {
  switch (d.kind) {
    case Dimension::Kind::kCategorical:
    case Dimension::Kind::kConstant:
      for (const auto& allowed : d.values) {
        if (SameValue(allowed, v)) return allowed;
      }
      {
        std::vector<std::string> text;
        for (const auto& allowed : d.values) text.push_back(allowed.ToString());
        return Bad(d.name,
                   absl::StrCat(Printable(v.ToString()), " is not one of its values: ", absl::StrJoin(text, ", ")));
      }
    case Dimension::Kind::kRange: {
      if (!v.is_number() || !std::isfinite(v.number()))
        return Bad(d.name, absl::StrCat(Printable(v.ToString()), " is not a number"));
      const double x = v.number();
      if (x < d.min || x > d.max) return Bad(d.name, absl::StrCat(x, " is outside [", d.min, ", ", d.max, "]"));
      const Value snapped = d.Snap(x);
      if (std::abs(snapped.number() - x) > 1e-9 * std::max(1.0, std::abs(x))) {
        return Bad(d.name, d.step ? absl::StrCat(x, " is not on its step (", *d.step, " from ", d.min, ")")
                                  : absl::StrCat(x, " is not an integer"));
      }
      return d.step || d.integer ? snapped : Value(x);
    }
  }
  return v;
}

}  // namespace

absl::StatusOr<Params> EnqueuedConfiguration(const SearchSpace& space, const Params& given, Rng& rng) {
  const auto& dims = space.dims();
  std::vector<std::string> names;
  for (const auto& d : dims) names.push_back(d.name);
  for (const auto& [name, v] : given) {
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    if (space.fixed().contains(name)) return Bad(name, "is fixed in the spec, not searched");
    return Bad(name, "is not a searched parameter of this sweep" + DidYouMean(name, names));
  }
  Params p = space.fixed();
  Params chosen;
  for (int d : space.order()) {
    const Dimension& dim = dims[d];
    auto it = given.find(dim.name);
    if (!space.Active(d, chosen)) {
      if (it != given.end()) return Bad(dim.name, "is inactive in this configuration (its `when` does not hold)");
      continue;
    }
    Value v;
    if (it != given.end()) {
      auto checked = Checked(dim, it->second);
      if (!checked.ok()) return checked.status();
      v = *std::move(checked);
    } else {
      v = dim.Sample(rng);
    }
    chosen[dim.name] = v;
    p[dim.name] = std::move(v);
  }
  return p;
}

}  // namespace hpsearch::search
