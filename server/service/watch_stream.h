// One WatchSweep stream: a snapshot, then the sweep's events as they happen, then
// the end. Never blocks the scheduler: events are queued here and written one at a
// time as the client takes them. The queue is bounded: a client more than
// `max_queue` events behind gets one catch-up event in their place (the current
// counters and how many events it missed), so a stalled client costs a fixed amount
// of memory however long the sweep runs; the final event always arrives.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>

#include "hpsearch/v1/sweep_service.pb.h"
#include "server/scheduler/scheduler.h"
#include "server/service/executor.h"

namespace hpsearch::service {

class WatchStream : public grpc::ServerWriteReactor<hpsearch::v1::SweepEvent> {
 public:
  // `open` counts the server's streams; this one is already counted and is
  // subtracted when it ends. The watch starts on `executor`.
  WatchStream(scheduler::Scheduler& scheduler, Executor& executor, const std::string& sweep, std::size_t max_queue,
              std::atomic<int>* open);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  void Begin(const std::string& sweep);
  void Push(const scheduler::SweepEvent& event);
  // Takes the next event into current_ and returns true if a write should start.
  bool NextLocked();

  scheduler::Scheduler& scheduler_;
  Executor& executor_;
  std::size_t max_queue_;
  std::atomic<int>* open_;
  std::mutex mu_;
  std::deque<scheduler::SweepEvent> queue_;  // converted to the wire as each is written
  hpsearch::v1::SweepEvent current_;
  bool started_ = false;  // the snapshot is queued; writes may begin
  bool writing_ = false;
  bool last_ = false;     // finish once current_ is written (the sweep had ended)
  bool closing_ = false;  // nothing more will be written
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
