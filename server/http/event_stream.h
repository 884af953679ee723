// One browser's live feed of a sweep: /api/v1/sweeps/{sweep}/events, server-sent
// events. The first event is the sweep as it is now, then one per thing that happens
// to it (a trial changing state, an epoch reported), each the protobuf JSON of the
// hpsearch.v1.SweepEvent WatchSweep streams; the stream ends after the event that
// carries the sweep's final status. Like a WatchStream it never blocks the
// scheduler and its queue is bounded: a reader more than `max_queue` events behind
// gets one catch-up event (the newest counters, `skipped` set) instead of them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "server/scheduler/query.h"

namespace hpsearch::http {

class EventStream {
 public:
  // NOT_FOUND for an unknown sweep, UNAVAILABLE while the server recovers.
  static absl::StatusOr<std::unique_ptr<EventStream>> Open(scheduler::Query& query, const std::string& sweep,
                                                           std::size_t max_queue = 256);
  ~EventStream();
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // The next bytes to send, waiting up to `wait` for an event: one event
  // ("id: n\nevent: sweep\ndata: {...}\n\n"), a comment when nothing has been sent
  // for `keep_alive` (so a closed connection is noticed), "" when there is nothing
  // yet, or nullopt once the final event has been sent.
  std::optional<std::string> Next(std::chrono::milliseconds wait, std::chrono::milliseconds keep_alive);

 private:
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<scheduler::SweepEvent> queue;
    std::size_t max_queue = 256;
    bool closed = false;  // the final event is queued; nothing more comes
  };
  EventStream(scheduler::Query& query, std::shared_ptr<Shared> shared) : query_(query), shared_(std::move(shared)) {}

  scheduler::Query& query_;
  std::shared_ptr<Shared> shared_;
  uint64_t watch_id_ = 0;
  int64_t sent_ = 0;
  bool ended_ = false;
  std::chrono::steady_clock::time_point last_send_ = std::chrono::steady_clock::now();
};

}  // namespace hpsearch::http
