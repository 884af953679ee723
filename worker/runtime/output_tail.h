// What a command trial's program wrote, bounded: the last `max_bytes` of one stream
// (older output is dropped, and said to be), and its complete lines one at a time
// for the stdout report protocol. A program that floods its output costs this much
// memory and no more.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace hpsearch::runtime {

class OutputTail {
 public:
  explicit OutputTail(std::size_t max_bytes) : max_(max_bytes) {}

  // Keeps `bytes`, and calls `line` for each line they complete (without its
  // newline; a line longer than max_line is passed cut to it, once).
  void Append(std::string_view bytes, const std::function<void(std::string_view)>& line = nullptr);
  // The kept output, after a note of how much was dropped before it.
  std::string Text() const;
  // The last `n` lines (at most `max_bytes`), for a failure reason.
  std::string LastLines(int n, std::size_t max_bytes) const;
  uint64_t total_bytes() const { return total_; }
  // What was written from `offset` on, at most the newest `max_bytes` of it (and no
  // older than what is kept): where it starts, and the bytes.
  std::pair<uint64_t, std::string> Since(uint64_t offset, std::size_t max_bytes) const;

  static constexpr std::size_t kMaxLine = 64 * 1024;

 private:
  std::size_t max_;
  std::string kept_;     // the last max_ bytes (at most 2·max_ between trims)
  std::string partial_;  // the line being written (at most kMaxLine)
  bool partial_cut_ = false;
  uint64_t total_ = 0;
};

}  // namespace hpsearch::runtime
