#include "server/service/watch_stream.h"

#include "server/service/convert.h"
#include "server/service/status_convert.h"

namespace hpsearch::service {

namespace v1 = hpsearch::v1;

namespace {

bool Terminal(const v1::Sweep& s) {
  return s.status() == v1::SWEEP_COMPLETED || s.status() == v1::SWEEP_FAILED || s.status() == v1::SWEEP_CANCELLED;
}

}  // namespace

WatchStream::WatchStream(scheduler::Scheduler& scheduler, Executor& executor, const std::string& sweep,
                         std::size_t max_queue, std::atomic<int>* open)
    : scheduler_(scheduler), executor_(executor), max_queue_(std::max<std::size_t>(2, max_queue)), open_(open) {
  if (!executor_.Post([this, sweep] { Begin(sweep); })) {
    closing_ = finish_called_ = true;
    Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is overloaded; retry"));
  }
}

void WatchStream::Begin(const std::string& sweep) {
  auto watch = scheduler_.StartWatch(sweep, [this](const scheduler::SweepEvent& e) { Push(e); });
  bool start = false;
  bool finish = false;
  grpc::Status status = grpc::Status::CANCELLED;
  {
    std::lock_guard lock(mu_);
    if (watch.ok()) watch_id_ = watch->id;
    if (closing_ || !watch.ok()) {
      // Cancelled before the watch began, or it could not begin.
      closing_ = true;
      finish = !finish_called_;
      finish_called_ = true;
      if (!watch.ok()) status = ToGrpc(watch.status());
    } else {
      scheduler::SweepEvent snapshot;
      snapshot.time_ms = scheduler_.now_ms();
      snapshot.sweep = std::move(watch->snapshot);
      queue_.push_front(std::move(snapshot));
      started_ = true;
      start = NextLocked();
      // Already finished: the snapshot is the final record and nothing follows.
      if (watch->id == 0) last_ = true;
    }
  }
  if (finish) Finish(status);
  if (start) StartWrite(&current_);
}

void WatchStream::Push(const scheduler::SweepEvent& event) {
  bool start = false;
  {
    std::lock_guard lock(mu_);
    if (closing_ || last_) return;
    if (queue_.size() >= max_queue_) {
      // The client is far behind: everything it has not read collapses into one
      // catch-up event with the newest counters (terminal if this event is).
      int64_t skipped = 1;  // this event
      for (const auto& e : queue_) skipped += 1 + e.skipped;
      scheduler::SweepEvent catch_up;
      catch_up.time_ms = event.time_ms;
      catch_up.sweep = event.sweep;
      catch_up.skipped = skipped;
      queue_.clear();
      queue_.push_back(std::move(catch_up));
    } else {
      queue_.push_back(event);
    }
    start = NextLocked();
  }
  if (start) StartWrite(&current_);
}

bool WatchStream::NextLocked() {
  if (!started_ || writing_ || closing_ || queue_.empty()) return false;
  current_ = ToProto(queue_.front());
  queue_.pop_front();
  writing_ = true;
  return true;
}

void WatchStream::OnWriteDone(bool ok) {
  bool start = false;
  bool finish = false;
  {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok || closing_ || Terminal(current_.sweep()) || (last_ && queue_.empty())) {
      closing_ = true;
      finish = !finish_called_;
      finish_called_ = true;
    } else {
      start = NextLocked();
    }
  }
  if (finish) Finish(ok ? grpc::Status::OK : grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
  if (start) StartWrite(&current_);
}

void WatchStream::OnCancel() {
  bool finish = false;
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    // A write in flight completes (ok = false) and finishes the stream there; a watch
    // still beginning on the executor finishes it in Begin.
    if (started_ && !writing_ && !finish_called_) finish = finish_called_ = true;
  }
  if (finish) Finish(grpc::Status::CANCELLED);
}

void WatchStream::OnDone() {
  uint64_t id = 0;
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    id = watch_id_;
  }
  auto done = [this, id] {
    if (id != 0) scheduler_.StopWatch(id);
    if (open_) open_->fetch_sub(1);
    delete this;
  };
  if (!executor_.Post(done)) done();
}

}  // namespace hpsearch::service
