#include "server/http/connection.h"

#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/http/admission.h"
#include "server/http/request_head.h"
#include "server/http/request_target.h"
#include "server/http/response_writer.h"

namespace hpsearch::http {

namespace {

Connection::Wait WaitFor(Io io) {
  switch (io) {
    case Io::kWantRead:
      return Connection::Wait::kRead;
    case Io::kWantWrite:
      return Connection::Wait::kWrite;
    default:
      return Connection::Wait::kClose;
  }
}

// The gRPC-style code name of a refusal's JSON body, as the API's errors have.
std::string_view CodeFor(int status) {
  switch (status) {
    case 408:
      return "DEADLINE_EXCEEDED";
    case 413:
    case 414:
    case 431:
      return "RESOURCE_EXHAUSTED";
    case 505:
      return "UNIMPLEMENTED";
    default:
      return "INVALID_ARGUMENT";
  }
}

constexpr std::size_t kReadChunk = 16 * 1024;

}  // namespace

Connection::Connection(uint64_t id, std::unique_ptr<Transport> transport, ClientSlot slot, const HttpLimits& limits,
                       Clock::time_point now)
    : id_(id), transport_(std::move(transport)), slot_(std::move(slot)), limits_(limits), scanner_(limits) {
  request_deadline_ = now + limits_.request_deadline;
  state_ = transport_->handshake_done() ? State::kHead : State::kHandshake;
}

Connection::Wait Connection::Advance(Clock::time_point now) {
  for (;;) {
    switch (state_) {
      case State::kHandshake: {
        const Io io = transport_->Handshake();
        if (io != Io::kOk) return WaitFor(io);
        state_ = State::kHead;
        break;
      }
      case State::kHead:
      case State::kBody: {
        if (ProcessBuffered(now)) break;
        const Io io = ReadSome(now);
        if (io != Io::kOk) return WaitFor(io);  // closed mid-request: nothing to answer
        break;
      }
      case State::kHandling:
        return Wait::kNone;
      case State::kWriting: {
        if (auto wait = WriteSome(now)) return *wait;
        break;
      }
      case State::kLinger:
        return Linger();
    }
  }
}

// Acts on the bytes already here; true if that changed the state.
bool Connection::ProcessBuffered(Clock::time_point now) {
  if (state_ == State::kBody) {
    if (buffer_.size() < head_end_ + body_bytes_) return false;
    if (form_) ParseQuery(std::string_view(buffer_).substr(head_end_, body_bytes_), &pending_.request.params);
    buffer_.erase(0, head_end_ + body_bytes_);
    state_ = State::kHandling;
    return true;
  }
  const HeadScan& scan = scanner_.Scan(buffer_);
  scan_skipped_ = scan.skipped;
  if (scan.state == HeadScan::State::kNeedMore) return false;
  if (scan.state == HeadScan::State::kRefused) {
    Refuse(scan.status, scan.message, now);
    return true;
  }
  head_end_ = scan.end;
  OnHead(std::string_view(buffer_).substr(scan.skipped, scan.end - scan.skipped), now);
  return true;
}

void Connection::OnHead(std::string_view head, Clock::time_point now) {
  auto parsed = ParseRequestHead(head, limits_);
  if (const auto* error = std::get_if<HeadError>(&parsed)) return Refuse(error->status, error->message, now);
  RequestHead& h = std::get<RequestHead>(parsed);
  const Admission a = Admit(h, limits_);
  if (a.kind == Admission::Kind::kRefuse) return Refuse(a.status, a.message, now);
  Prepare(h, a.close_after);
  if (a.kind == Admission::Kind::kReadBody) {
    state_ = State::kBody;
    body_bytes_ = a.body_bytes;
    if (h.expect_continue && buffer_.size() < head_end_ + body_bytes_) {
      after_write_ = State::kBody;
      StartWrite("HTTP/1.1 100 Continue\r\n\r\n", now);
    }
    return;
  }
  // A body left unread (the handler answers from the head) ends the connection:
  // nothing after the head can be read as the next request.
  if (h.content_length.value_or(0) > 0) {
    buffer_.clear();
  } else {
    buffer_.erase(0, head_end_);
  }
  state_ = State::kHandling;
}

// The request for the handler, from an admitted head (the login form's fields join
// the parameters once its body is in).
void Connection::Prepare(RequestHead& h, bool close_after) {
  pending_ = PendingRequest{};
  pending_.connection = id_;
  HttpRequest& r = pending_.request;
  r.method = h.method;
  r.path = std::move(h.path);
  r.params = std::move(h.params);
  r.authorization = h.Header("authorization");
  r.cookie = h.Header("cookie");
  r.tls = transport_->tls();
  r.host = h.host;
  r.client = slot_.key();
  pending_.head_only = h.method == "HEAD";
  pending_.accepts_gzip = absl::StrContains(absl::AsciiStrToLower(h.Header("accept-encoding")), "gzip");
  pending_.close = close_after;
  pending_.chunked = h.minor_version == 1;
  form_ = absl::StartsWith(absl::AsciiStrToLower(h.Header("content-type")), "application/x-www-form-urlencoded");
}

Io Connection::ReadSome(Clock::time_point now) {
  // The scanner decides on any buffer this large (the head limit is passed), and a
  // body fits in it, so reading never needs more room than this.
  const std::size_t cap = limits_.max_head_bytes + limits_.max_body_bytes + 128;
  if (buffer_.size() >= cap) return Io::kError;
  char chunk[kReadChunk];
  std::size_t n = 0;
  const Io io = transport_->Read(chunk, std::min(cap - buffer_.size(), sizeof chunk), &n);
  if (io != Io::kOk) return io;
  buffer_.append(chunk, n);
  if (idle_) {
    idle_ = false;
    request_deadline_ = now + limits_.request_deadline;
  }
  return io;
}

PendingRequest Connection::TakeRequest() { return std::move(pending_); }

void Connection::Respond(std::string bytes, bool close, Clock::time_point now) {
  close_after_ = close;
  StartWrite(std::move(bytes), now);
}

void Connection::Refuse(int status, const std::string& message, Clock::time_point now) {
  pending_ = PendingRequest{};
  buffer_.clear();
  close_after_ = true;
  after_write_ = State::kHead;
  StartWrite(ErrorResponse(status, CodeFor(status), message), now);
}

void Connection::StartWrite(std::string bytes, Clock::time_point now) {
  out_ = std::move(bytes);
  out_pos_ = 0;
  state_ = State::kWriting;
  write_deadline_ =
      now + limits_.write_grace + std::chrono::seconds(out_.size() / std::max<std::size_t>(1, limits_.min_write_rate));
}

std::optional<Connection::Wait> Connection::WriteSome(Clock::time_point now) {
  while (out_pos_ < out_.size()) {
    std::size_t n = 0;
    const Io io = transport_->Write(std::string_view(out_).substr(out_pos_), &n);
    if (io != Io::kOk) return WaitFor(io);
    out_pos_ += n;
  }
  std::string().swap(out_);
  out_pos_ = 0;
  AfterWrite(now);
  return std::nullopt;
}

void Connection::AfterWrite(Clock::time_point now) {
  if (after_write_ == State::kBody) {  // "100 Continue" is out: now the body
    after_write_ = State::kHead;
    state_ = State::kBody;
    return;
  }
  if (close_after_) {
    // Read and drop whatever the client still sends, so that it sees the answer
    // rather than a reset, until it closes or the linger bounds are reached.
    transport_->ShutdownWrite();
    state_ = State::kLinger;
    linger_deadline_ = now + limits_.linger;
    lingered_ = 0;
    return;
  }
  scanner_.Reset();
  scan_skipped_ = 0;
  state_ = State::kHead;
  idle_deadline_ = now + limits_.idle_timeout;
  request_deadline_ = now + limits_.request_deadline;
  idle_ = buffer_.empty();
  if (idle_) std::string().swap(buffer_);
}

Connection::Wait Connection::Linger() {
  char chunk[kReadChunk];
  for (;;) {
    std::size_t n = 0;
    const Io io = transport_->Read(chunk, sizeof chunk, &n);
    if (io != Io::kOk) return io == Io::kWantRead || io == Io::kWantWrite ? WaitFor(io) : Wait::kClose;
    lingered_ += n;
    if (lingered_ > limits_.linger_bytes) return Wait::kClose;
  }
}

Connection::Wait Connection::Expire(Clock::time_point now) {
  if ((state_ == State::kHead || state_ == State::kBody) && !idle_ && RequestStarted()) {
    Refuse(408,
           absl::StrCat("the request did not arrive within ",
                        std::chrono::duration_cast<std::chrono::seconds>(limits_.request_deadline).count(), " s"),
           now);
    return Advance(now);
  }
  return Wait::kClose;
}

Connection::Clock::time_point Connection::deadline() const {
  switch (state_) {
    case State::kHandshake:
    case State::kBody:
      return request_deadline_;
    case State::kHead:
      return idle_ ? idle_deadline_ : request_deadline_;
    case State::kHandling:
      return Clock::time_point::max();
    case State::kWriting:
      return write_deadline_;
    case State::kLinger:
      return linger_deadline_;
  }
  return Clock::time_point::max();
}

}  // namespace hpsearch::http
