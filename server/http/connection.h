// One client connection as the event loop sees it: a state machine over a
// non-blocking Transport that holds at most one request at a time and little else —
// the bytes of the request under way (bounded by the head and body limits), and the
// response being written. It reads the head with HeadScanner, parses and admits it
// (request_head.h, admission.h), reads the login form's body, and then hands a
// complete request out (Wait::kNone) until Respond gives it the answer; refused
// requests are answered here. Every state has a deadline (HttpLimits): the request
// (from accept or the first byte after an idle keep-alive), the idle keep-alive,
// the write, the linger after a refusal. Owned and driven by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "server/http/client_limits.h"
#include "server/http/head_scanner.h"
#include "server/http/http_api.h"
#include "server/http/http_limits.h"
#include "server/http/request_head.h"
#include "server/http/transport.h"

namespace hpsearch::http {

// A complete request, for a worker.
struct PendingRequest {
  uint64_t connection = 0;
  HttpRequest request;
  bool head_only = false;     // HEAD
  bool accepts_gzip = false;  // Accept-Encoding names gzip
  bool close = false;         // the connection ends after the answer
  bool chunked = true;        // HTTP/1.1: a stream may be sent chunked
};

class Connection {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Wait { kRead, kWrite, kNone, kClose };  // kNone: a request is out for handling

  Connection(uint64_t id, std::unique_ptr<Transport> transport, ClientSlot slot, const HttpLimits& limits,
             Clock::time_point now);

  // All the I/O that can be done now; what to wait for next.
  Wait Advance(Clock::time_point now);
  // After Advance returned kNone: the request.
  PendingRequest TakeRequest();
  // The handled request's answer: these bytes, then the next request or the end.
  void Respond(std::string bytes, bool close, Clock::time_point now);
  // Called once deadline() has passed: 408 to a request under way, else the end.
  Wait Expire(Clock::time_point now);
  Clock::time_point deadline() const;

  uint64_t id() const { return id_; }
  bool handling() const { return state_ == State::kHandling; }
  int fd() const { return transport_->fd(); }
  // For an event stream's thread, which takes the connection over.
  std::unique_ptr<Transport> ReleaseTransport() { return std::move(transport_); }
  ClientSlot ReleaseSlot() { return std::move(slot_); }

 private:
  enum class State { kHandshake, kHead, kBody, kHandling, kWriting, kLinger };

  bool ProcessBuffered(Clock::time_point now);
  void OnHead(std::string_view head, Clock::time_point now);
  void Prepare(RequestHead& head, bool close_after);
  Io ReadSome(Clock::time_point now);
  std::optional<Wait> WriteSome(Clock::time_point now);  // nullopt: all written
  Wait Linger();
  void Refuse(int status, const std::string& message, Clock::time_point now);
  void StartWrite(std::string bytes, Clock::time_point now);
  void AfterWrite(Clock::time_point now);
  bool RequestStarted() const { return buffer_.size() > scan_skipped_; }

  const uint64_t id_;
  std::unique_ptr<Transport> transport_;
  ClientSlot slot_;
  const HttpLimits limits_;
  HeadScanner scanner_;
  State state_ = State::kHandshake;
  std::string buffer_;  // bytes of the request under way (and any pipelined after it)
  std::size_t scan_skipped_ = 0;
  PendingRequest pending_;
  std::size_t head_end_ = 0, body_bytes_ = 0;
  bool form_ = false;  // the body is an urlencoded form
  std::string out_;
  std::size_t out_pos_ = 0;
  bool close_after_ = false;
  State after_write_ = State::kHead;
  std::size_t lingered_ = 0;
  Clock::time_point request_deadline_, idle_deadline_, write_deadline_, linger_deadline_;
  bool idle_ = false;  // kHead between requests, nothing of the next one yet
};

}  // namespace hpsearch::http
