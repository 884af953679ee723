// How a sweep decides what to try next.
//
// The scheduler asks for trials one at a time, in order; trial i is the i-th
// configuration Next() returns. An adaptive strategy (successive halving, TPE) can
// use Observe() — the scheduler reports every finished trial — without any change to
// the scheduler. Not thread-safe: one caller at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "search/spec.h"
#include "search/search_space.h"

namespace hpsearch::search {

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Trials the sweep will run: the grid size or max_trials, capped by the size of a
  // finite space. May shrink if a random search finds the space exhausted early.
  virtual int64_t total() const = 0;
  // The next configuration (the spec's `fixed` settings merged in), or nullopt when
  // the sweep has all its trials. Deterministic: same spec + seed ⇒ same sequence.
  virtual std::optional<Params> Next() = 0;
  // A finished trial's objective (nullopt: failed). Default: ignored.
  virtual void Observe(int64_t /*trial*/, std::optional<double> /*objective*/) {}
  // Why fewer than the asked-for trials will run ("" when not).
  virtual std::string note() const { return ""; }
  // Skips the first n trials (to resume a sweep). Default: calls Next() n times.
  virtual void Skip(int64_t n);
};

// Builds the strategy of a validated spec.
absl::StatusOr<std::unique_ptr<Strategy>> MakeStrategy(const Spec& spec);

// Default trial count of a random search without budget.max_trials.
inline constexpr int64_t kDefaultRandomTrials = 20;

}  // namespace hpsearch::search
