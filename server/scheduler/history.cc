#include "server/scheduler/history.h"

#include <algorithm>
#include <numeric>

namespace hpsearch::scheduler {

History Thin(std::vector<HistoryPoint> all, bool maximize, std::size_t max_points) {
  History h;
  h.maximize = maximize;
  h.total = static_cast<int64_t>(all.size());
  const auto better = [maximize](double a, double b) { return maximize ? a > b : a < b; };
  std::vector<std::size_t> keep;
  bool have = false;
  double best = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].pruned || all[i].failed || (have && !better(all[i].value, best))) continue;
    best = all[i].value;
    have = true;
    h.best.emplace_back(all[i].order, best);
    keep.push_back(i);
  }
  if (have && h.best.back().first != all.back().order) h.best.emplace_back(all.back().order, best);
  if (h.best.size() > max_points / 2 && max_points >= 4) {
    // A history that keeps improving: its line through an even spread of the steps.
    std::vector<std::pair<int64_t, double>> line;
    const std::size_t n = max_points / 2;
    for (std::size_t k = 0; k + 1 < n; ++k) line.push_back(h.best[k * h.best.size() / n]);
    line.push_back(h.best.back());
    h.best = std::move(line);
  }
  if (all.size() <= max_points) {
    h.points = std::move(all);
    return h;
  }
  if (keep.size() > max_points / 2) {
    // So many improvements (a sorted sweep): an even spread of them, the last kept.
    std::vector<std::size_t> spread;
    const std::size_t n = max_points / 2;
    for (std::size_t k = 0; k < n; ++k) spread.push_back(keep[k * keep.size() / n]);
    spread.back() = keep.back();
    keep = std::move(spread);
  }
  // The extremes: a tenth of the budget for the best values, a tenth for the worst.
  std::vector<std::size_t> order(all.size());
  std::iota(order.begin(), order.end(), 0);
  const std::size_t k = std::max<std::size_t>(1, max_points / 10);
  const auto by_value = [&](std::size_t a, std::size_t b) { return better(all[a].value, all[b].value); };
  std::nth_element(order.begin(), order.begin() + k, order.end(), by_value);
  keep.insert(keep.end(), order.begin(), order.begin() + k);
  std::nth_element(order.begin(), order.end() - k, order.end(), by_value);
  keep.insert(keep.end(), order.end() - k, order.end());
  std::sort(keep.begin(), keep.end());
  keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
  // The rest of the budget: every stride-th point.
  if (keep.size() < max_points) {
    const std::size_t room = max_points - keep.size();
    std::vector<std::size_t> spread;
    for (std::size_t j = 0; j < room; ++j) spread.push_back(j * all.size() / room);
    std::vector<std::size_t> merged;
    std::set_union(keep.begin(), keep.end(), spread.begin(), spread.end(), std::back_inserter(merged));
    keep = std::move(merged);
  }
  for (std::size_t i : keep) h.points.push_back(all[i]);
  return h;
}

}  // namespace hpsearch::scheduler
