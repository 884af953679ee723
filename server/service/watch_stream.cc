#include "service/watch_stream.h"

#include "service/status_convert.h"

namespace hpsearch::service {

namespace v1 = hpsearch::v1;

namespace {

bool Terminal(const v1::Sweep& s) {
  return s.status() == v1::SWEEP_COMPLETED || s.status() == v1::SWEEP_FAILED ||
         s.status() == v1::SWEEP_CANCELLED;
}

}  // namespace

WatchStream::WatchStream(scheduler::Scheduler& scheduler, const std::string& sweep, std::size_t max_queue,
                         std::atomic<int>* open)
    : scheduler_(scheduler), max_queue_(max_queue), open_(open) {
  auto watch = scheduler_.StartWatch(sweep, [this](const v1::SweepEvent& e) { Push(e); });
  if (!watch.ok()) {
    closing_ = finish_called_ = true;
    Finish(ToGrpc(watch.status()));
    return;
  }
  v1::SweepEvent snapshot;
  snapshot.set_time_ms(scheduler_.now_ms());
  *snapshot.mutable_sweep() = std::move(watch->snapshot);
  bool start = false;
  {
    std::lock_guard lock(mu_);
    watch_id_ = watch->id;
    queue_.push_front(std::move(snapshot));
    started_ = true;
    start = NextLocked();
  }
  if (start) Write();
}

void WatchStream::Push(const v1::SweepEvent& event) {
  bool start = false;
  {
    std::lock_guard lock(mu_);
    if (closing_) return;
    if (queue_.size() >= max_queue_) {
      // Shed per-epoch progress first; state changes always go through.
      std::erase_if(queue_, [](const v1::SweepEvent& e) { return e.has_epoch(); });
      if (event.has_epoch()) return;
    }
    queue_.push_back(event);
    start = NextLocked();
  }
  if (start) Write();
}

bool WatchStream::NextLocked() {
  if (!started_ || writing_ || closing_ || queue_.empty()) return false;
  current_ = std::move(queue_.front());
  queue_.pop_front();
  writing_ = true;
  return true;
}

void WatchStream::Write() { StartWrite(&current_); }

void WatchStream::OnWriteDone(bool ok) {
  bool start = false;
  bool finish = false;
  {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok || closing_ || Terminal(current_.sweep())) {
      closing_ = true;
      finish = !finish_called_;
      finish_called_ = true;
    } else {
      start = NextLocked();
    }
  }
  if (finish) Finish(ok ? grpc::Status::OK : grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
  if (start) Write();
}

void WatchStream::OnCancel() {
  bool finish = false;
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    // A write in flight completes (ok = false) and finishes the stream there.
    if (!writing_ && !finish_called_) finish = finish_called_ = true;
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
  if (id != 0) scheduler_.StopWatch(id);
  if (open_) open_->fetch_sub(1);
  delete this;
}

}  // namespace hpsearch::service
