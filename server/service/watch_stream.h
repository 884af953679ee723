// One WatchSweep stream: a snapshot, then the sweep's events as they happen, then
// the end. Never blocks the scheduler: events are queued here and written one at a
// time as the client takes them; a client that falls more than `max_queue` events
// behind loses per-epoch events first (trial state changes and the final event are
// always delivered).
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>

#include "hpsearch/v1/sweep_service.pb.h"
#include "scheduler/scheduler.h"

namespace hpsearch::service {

class WatchStream : public grpc::ServerWriteReactor<hpsearch::v1::SweepEvent> {
 public:
  // `open` counts the server's streams; this one is already counted and is
  // subtracted when it ends.
  WatchStream(scheduler::Scheduler& scheduler, const std::string& sweep, std::size_t max_queue,
              std::atomic<int>* open);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  void Push(const hpsearch::v1::SweepEvent& event);
  // Takes the next event into current_ and returns true if a write should start.
  bool NextLocked();
  void Write();

  scheduler::Scheduler& scheduler_;
  std::size_t max_queue_;
  std::atomic<int>* open_;
  std::mutex mu_;
  std::deque<hpsearch::v1::SweepEvent> queue_;
  hpsearch::v1::SweepEvent current_;
  bool started_ = false;
  bool writing_ = false;
  bool closing_ = false;        // nothing more will be written
  bool finish_called_ = false;
  uint64_t watch_id_ = 0;
};

// A stream refused before it starts (e.g. UNAUTHENTICATED).
class RejectedStream : public grpc::ServerWriteReactor<hpsearch::v1::SweepEvent> {
 public:
  explicit RejectedStream(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace hpsearch::service
