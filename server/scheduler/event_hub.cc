#include "server/scheduler/event_hub.h"

namespace hpsearch::scheduler {

uint64_t EventHub::Add(int64_t sweep, Listener listener) {
  const uint64_t id = next_++;
  watchers_.emplace(id, Watcher{sweep, std::move(listener)});
  by_sweep_.emplace(sweep, id);
  return id;
}

void EventHub::Remove(uint64_t id) {
  auto it = watchers_.find(id);
  if (it == watchers_.end()) return;
  auto range = by_sweep_.equal_range(it->second.sweep);
  for (auto r = range.first; r != range.second; ++r) {
    if (r->second == id) {
      by_sweep_.erase(r);
      break;
    }
  }
  watchers_.erase(it);
}

void EventHub::RemoveAll(int64_t sweep) {
  auto range = by_sweep_.equal_range(sweep);
  for (auto it = range.first; it != range.second; ++it) watchers_.erase(it->second);
  by_sweep_.erase(sweep);
}

void EventHub::Emit(int64_t sweep, const SweepEvent& event) {
  auto range = by_sweep_.equal_range(sweep);
  for (auto it = range.first; it != range.second; ++it) {
    auto w = watchers_.find(it->second);
    if (w != watchers_.end()) w->second.listener(event);
  }
}

}  // namespace hpsearch::scheduler
