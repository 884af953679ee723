// How a sweep decides what to try next.
//
// The scheduler asks for trials one at a time, in order; trial i is the i-th
// configuration Next() returns. It tells the strategy what becomes of every trial
// (Observe: leased, waiting again, completed, pruned, failed), which an adaptive
// strategy (TPE) learns from; after a restart it hands over the stored history
// (Restore) instead of replaying Next(). Not thread-safe: one caller at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "search/search_space.h"
#include "search/spec.h"

namespace hpsearch::search {

// What the scheduler knows of one trial.
enum class TrialState { kRunning, kWaiting, kCompleted, kPruned, kFailed };
struct Observation {
  int64_t index = 0;
  Params params;  // as Next() returned them (fixed settings included)
  TrialState state = TrialState::kRunning;
  // kCompleted: the objective; kPruned: its last reported value (at `epoch`).
  std::optional<double> value;
  int64_t epoch = 0;
  // A multi-objective sweep's completed trial: its value of every objective, in the
  // spec's order (`value` is the first). Empty otherwise.
  std::vector<double> values;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Trials the sweep will run: the grid size or max_trials, capped by the size of a
  // finite space. May shrink if a random search finds the space exhausted early.
  virtual int64_t total() const = 0;
  // The next configuration (the spec's `fixed` settings merged in), or nullopt when
  // the sweep has all its trials. Deterministic: same spec + seed ⇒ same sequence.
  virtual std::optional<Params> Next() = 0;
  // A trial changed state (a later observation of the same index replaces an
  // earlier one). Default: ignored.
  virtual void Observe(const Observation& /*trial*/) {}
  // Why fewer (or other) trials run than the spec's words suggest ("" when not): a
  // space too small for max_trials, a grid cut to its first max_trials points.
  virtual std::string note() const { return ""; }
  // Skips the first n trials (to resume a sweep). Default: calls Next() n times.
  virtual void Skip(int64_t n);
  // Resumes after a restart: `next_index` trials exist, `history` is what became of
  // them. Default: Skip(next_index) (a blind strategy's sequence is fixed by its seed).
  virtual void Restore(int64_t next_index, const std::vector<Observation>& /*history*/) { Skip(next_index); }
  // Whether Restore needs the history (else the scheduler need not read it).
  virtual bool learns() const { return false; }

  // The next configuration in three steps, so that a caller serialising calls with a
  // lock need not hold it while an expensive model computes (TPE: tens of ms at
  // 10,000 trials). Under the caller's lock, PrepareNext() returns a job, or an
  // empty one when Next() is cheap (call it instead). The job owns everything it
  // reads: it runs anywhere, with the lock released, while Observe() goes on (the
  // suggestion then rests on what was known when it was prepared). Under the lock
  // again, AcceptNext(job, its result) returns the configuration when it became the
  // next one; nullopt means ask again (PrepareNext, or Next() once it returns an
  // empty job): the result repeated an earlier configuration, the model was not used
  // yet, or the strategy moved on meanwhile. REQUIRES: no Next() between the two
  // calls and one job at a time.
  struct PreparedNext {
    int64_t index = -1;
    int attempt = 0;
    std::function<std::optional<Params>()> run;
    explicit operator bool() const { return static_cast<bool>(run); }
  };
  virtual PreparedNext PrepareNext() { return {}; }
  virtual std::optional<Params> AcceptNext(const PreparedNext& /*job*/, std::optional<Params> /*result*/) {
    return std::nullopt;
  }
};

// Builds the strategy of a validated spec.
absl::StatusOr<std::unique_ptr<Strategy>> MakeStrategy(const Spec& spec);

// Consecutive duplicate draws after which a sampled space counts as exhausted, and
// the note a strategy then gives.
inline constexpr int kMaxDuplicateDraws = 2000;
std::string ExhaustedNote(int64_t distinct);

// Default trial count of a random search without budget.max_trials.
inline constexpr int64_t kDefaultRandomTrials = 20;

}  // namespace hpsearch::search
