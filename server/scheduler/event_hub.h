// Watchers of sweeps: listeners registered per sweep, called in order with each
// event. Not thread-safe by itself: the scheduler calls it under its lock, and
// listeners must only queue the event.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "server/scheduler/sweep_event.h"

namespace hpsearch::scheduler {

class EventHub {
 public:
  using Listener = std::function<void(const SweepEvent&)>;

  // A new watcher of `sweep`; returns its id (never 0).
  uint64_t Add(int64_t sweep, Listener listener);
  void Remove(uint64_t id);
  // Every watcher of `sweep` is done (the sweep finished).
  void RemoveAll(int64_t sweep);
  bool Watched(int64_t sweep) const { return by_sweep_.count(sweep) > 0; }
  void Emit(int64_t sweep, const SweepEvent& event);

 private:
  struct Watcher {
    int64_t sweep = 0;
    Listener listener;
  };
  uint64_t next_ = 1;
  std::map<uint64_t, Watcher> watchers_;
  std::multimap<int64_t, uint64_t> by_sweep_;
};

}  // namespace hpsearch::scheduler
