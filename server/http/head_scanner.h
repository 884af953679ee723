// Finds where a request head ends in bytes that arrive a few at a time, and refuses
// it as soon as it passes a bound, before the rest arrives: the request line longer
// than the target limit allows (414), more header lines or head bytes than allowed
// (431). Each byte is looked at once however the bytes are split, so a client that
// dribbles costs no more than one that sends at once. Leading empty lines are
// skipped (RFC 9112, 2.2). One scanner per connection; not thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "server/http/http_limits.h"

namespace hpsearch::http {

struct HeadScan {
  enum class State { kNeedMore, kComplete, kRefused };
  State state = State::kNeedMore;
  std::size_t skipped = 0;  // empty lines before the request line
  std::size_t end = 0;      // kComplete: the head is buffer[skipped, end), blank line included
  int status = 0;           // kRefused: 400, 414 or 431
  std::string message;      // kRefused: what was too long, and the bound
};

class HeadScanner {
 public:
  explicit HeadScanner(const HttpLimits& limits) : limits_(limits) {}

  // Scans `buffer` (all bytes of this request so far: each call passes what the last
  // one did and more) from where the last call stopped.
  const HeadScan& Scan(std::string_view buffer);
  // For the next request on the connection.
  void Reset() { *this = HeadScanner(limits_); }

 private:
  void Refuse(int status, std::string message);
  void RefuseLongRequestLine();
  void RefuseLargeHead();
  std::size_t RequestLineLimit() const { return limits_.max_target_bytes + 32; }  // method, version, spaces

  HttpLimits limits_;
  HeadScan result_;
  std::size_t pos_ = 0;         // next byte to look at
  std::size_t line_start_ = 0;  // where the current line began
  std::size_t lines_ = 0;       // lines ended so far, the request line included
  bool started_ = false;        // the request line has begun
};

}  // namespace hpsearch::http
