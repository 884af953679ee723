// A sweep's optimization history as a plot draws it: the objective of every completed
// trial, and the last value of every pruned or failed one that reported it, in finish order and the best-so-far line,
// thinned to at most a given number of points for large sweeps so a browser stays responsive with 100,000 trials.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hpsearch::scheduler {

struct HistoryPoint {
  int64_t order = 0;  // 1-based position in finish order
  int64_t index = 0;  // the trial
  double value = 0;
  bool pruned = false;
  bool failed = false;  // at the last value it reported
  std::string params;   // the trial's parameters as stored (JSON text)
};

struct History {
  std::string metric;
  std::vector<std::string> searched;  // the sweep's searched parameters, in spec order
  bool maximize = false;
  int64_t total = 0;                 // finished trials with a value (points before thinning)
  std::vector<HistoryPoint> points;  // at most the asked number, in finish order
  // The best completed value so far, at each point where it improved (and the last
  // point, so the line reaches the end); beyond half the budget of steps, an even
  // spread of them and the last.
  std::vector<std::pair<int64_t, double>> best;
};

// The history of `all` (in finish order) with at most `max_points` points: every
// point that improved the best so far, the best and the worst values (a tenth of the
// budget each, the outliers a plot must show), and an even spread of the rest.
History Thin(std::vector<HistoryPoint> all, bool maximize, std::size_t max_points);

}  // namespace hpsearch::scheduler
