#include "server/http/event_stream.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "server/service/convert.h"

namespace hpsearch::http {

namespace {

bool Final(SweepStatus s) {
  return s == SweepStatus::kCompleted || s == SweepStatus::kFailed || s == SweepStatus::kCancelled;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventStream>> EventStream::Open(scheduler::Query& query, const std::string& sweep,
                                                               std::size_t max_queue) {
  auto shared = std::make_shared<Shared>();
  shared->max_queue = std::max<std::size_t>(2, max_queue);
  // Called under the scheduler's lock: queue only. The listener holds the queue,
  // not the stream, so it stays valid whatever the order of teardown.
  auto listener = [shared](const scheduler::SweepEvent& event) {
    std::lock_guard lock(shared->mu);
    if (shared->closed) return;
    if (shared->queue.size() >= shared->max_queue) {
      int64_t skipped = 1;
      for (const auto& e : shared->queue) skipped += 1 + e.skipped;
      scheduler::SweepEvent catch_up;
      catch_up.time_ms = event.time_ms;
      catch_up.sweep = event.sweep;
      catch_up.skipped = skipped;
      shared->queue.clear();
      shared->queue.push_back(std::move(catch_up));
    } else {
      shared->queue.push_back(event);
    }
    if (Final(event.sweep.status)) shared->closed = true;
    shared->cv.notify_all();
  };
  auto watch = query.StartWatch(sweep, listener);
  if (!watch.ok()) return watch.status();
  std::unique_ptr<EventStream> stream(new EventStream(query, shared));
  stream->watch_id_ = watch->id;
  scheduler::SweepEvent snapshot;
  snapshot.time_ms = query.now_ms();
  snapshot.sweep = std::move(watch->snapshot);
  snapshot.sweep.spec.clear();  // the page has it; events carry counters
  std::lock_guard lock(shared->mu);
  shared->queue.push_front(std::move(snapshot));
  if (watch->id == 0) shared->closed = true;  // already finished: the snapshot is all
  return stream;
}

EventStream::~EventStream() {
  if (watch_id_ != 0) query_.StopWatch(watch_id_);
}

std::optional<std::string> EventStream::Next(std::chrono::milliseconds wait, std::chrono::milliseconds keep_alive) {
  if (ended_) return std::nullopt;
  std::unique_lock lock(shared_->mu);
  shared_->cv.wait_for(lock, wait, [&] { return !shared_->queue.empty(); });
  const auto now = std::chrono::steady_clock::now();
  if (shared_->queue.empty()) {
    if (now - last_send_ < keep_alive) return std::string();
    last_send_ = now;
    return std::string(": keep-alive\n\n");
  }
  scheduler::SweepEvent event = std::move(shared_->queue.front());
  shared_->queue.pop_front();
  const bool last = shared_->closed && shared_->queue.empty();
  lock.unlock();
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(service::ToProto(event), &json, options);
  ended_ = last;
  last_send_ = now;
  // The last event tells the browser not to reconnect for a while (the page closes
  // its EventSource on a final status anyway).
  return absl::StrCat(last ? "retry: 60000\n" : "", "id: ", ++sent_, "\nevent: sweep\ndata: ", json, "\n\n");
}

}  // namespace hpsearch::http
