#include "server/http/head_scanner.h"

#include "absl/strings/str_cat.h"

namespace hpsearch::http {

void HeadScanner::Refuse(int status, std::string message) {
  result_.state = HeadScan::State::kRefused;
  result_.status = status;
  result_.message = std::move(message);
}

const HeadScan& HeadScanner::Scan(std::string_view buffer) {
  for (; pos_ < buffer.size() && result_.state == HeadScan::State::kNeedMore; ++pos_) {
    const char c = buffer[pos_];
    if (!started_) {
      if (c == '\r' || c == '\n') {
        if (pos_ >= 64) Refuse(400, "more than 64 bytes of empty lines before the request line");
        result_.skipped = line_start_ = pos_ + 1;
        continue;
      }
      started_ = true;
    }
    if (c != '\n') continue;
    const std::size_t length = pos_ - line_start_;  // "\r" included
    ++lines_;
    if (lines_ == 1 && length > RequestLineLimit()) {
      RefuseLongRequestLine();
    } else if (lines_ > 1 && (length == 0 || (length == 1 && buffer[pos_ - 1] == '\r'))) {
      if (pos_ + 1 - result_.skipped > limits_.max_head_bytes) {
        RefuseLargeHead();
        return result_;
      }
      result_.state = HeadScan::State::kComplete;
      result_.end = pos_ + 1;
      return result_;
    }
    if (lines_ - 1 > limits_.max_header_lines) {
      Refuse(431, absl::StrCat("more than ", limits_.max_header_lines, " header lines"));
    }
    line_start_ = pos_ + 1;
  }
  if (result_.state != HeadScan::State::kNeedMore) return result_;
  const std::size_t size = buffer.size() - result_.skipped;
  if (lines_ == 0 && started_ && buffer.size() - line_start_ > RequestLineLimit()) {
    RefuseLongRequestLine();
  } else if (size > limits_.max_head_bytes) {
    RefuseLargeHead();
  }
  return result_;
}

void HeadScanner::RefuseLongRequestLine() {
  Refuse(414, absl::StrCat("request line longer than ", RequestLineLimit(), " bytes (the target: at most ",
                           limits_.max_target_bytes, ")"));
}

void HeadScanner::RefuseLargeHead() {
  Refuse(431, absl::StrCat("request head larger than ", limits_.max_head_bytes, " bytes"));
}

}  // namespace hpsearch::http
