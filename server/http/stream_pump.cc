#include "server/http/stream_pump.h"

#include <sys/socket.h>

#include "server/http/response_writer.h"

namespace hpsearch::http {

void StreamPump::Start(std::unique_ptr<Transport> transport, ClientSlot slot, Reply reply) {
  std::lock_guard lock(mu_);
  ReapFinished();
  if (stopping_) return;  // the connection, its slot and the stream end here
  auto job = std::make_unique<Job>();
  Job* raw = job.get();
  raw->fd = transport->fd();
  raw->thread = std::thread(&StreamPump::Pump, this, raw, std::move(transport), std::move(slot), std::move(reply));
  jobs_.push_back(std::move(job));
}

void StreamPump::Pump(Job* job, std::unique_ptr<Transport> transport, ClientSlot slot, Reply reply) {
  const auto deadline = [&] { return std::chrono::steady_clock::now() + write_timeout_; };
  bool ok = transport->WriteAll(reply.bytes, deadline());
  while (ok && !stopping_) {
    auto bytes = reply.stream->Next(std::chrono::milliseconds(250), std::chrono::seconds(10));
    if (!bytes) {
      if (reply.chunked) transport->WriteAll(Chunk(""), deadline());
      break;
    }
    if (bytes->empty()) continue;
    ok = transport->WriteAll(reply.chunked ? Chunk(*bytes) : *bytes, deadline());
  }
  transport->ShutdownWrite();
  {
    std::lock_guard lock(mu_);
    job->fd = -1;  // closed below: Stop must not touch the number any more
  }
  transport.reset();
  reply = Reply{};  // the stream stops watching; its slot is freed
  slot = ClientSlot();
  job->finished = true;
}

void StreamPump::ReapFinished() {
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if ((*it)->finished) {
      (*it)->thread.join();
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
}

void StreamPump::Stop() {
  std::list<std::unique_ptr<Job>> jobs;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& job : jobs_) {
      if (job->fd >= 0) shutdown(job->fd, SHUT_RDWR);  // a blocked write returns at once
    }
    jobs.swap(jobs_);
  }
  for (auto& job : jobs) job->thread.join();
}

}  // namespace hpsearch::http
