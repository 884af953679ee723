#include "worker/runtime/output_tail.h"

#include "absl/strings/str_cat.h"

namespace hpsearch::runtime {

void OutputTail::Append(std::string_view bytes, const std::function<void(std::string_view)>& line) {
  total_ += bytes.size();
  kept_.append(bytes.data(), bytes.size());
  if (kept_.size() > 2 * max_) kept_.erase(0, kept_.size() - max_);
  if (!line) return;
  for (char c : bytes) {
    if (c == '\n') {
      if (!partial_cut_) line(partial_);
      partial_.clear();
      partial_cut_ = false;
    } else if (partial_.size() < kMaxLine) {
      partial_ += c;
    } else if (!partial_cut_) {
      line(partial_);  // too long for a report: passed once, cut
      partial_cut_ = true;
    }
  }
}

std::string OutputTail::Text() const {
  const std::size_t keep = std::min(kept_.size(), max_);
  const uint64_t dropped = total_ - keep;
  std::string out;
  if (dropped > 0) out = absl::StrCat("[hpsearch: ", dropped, " earlier bytes of output dropped]\n");
  out.append(kept_, kept_.size() - keep, keep);
  return out;
}

std::pair<uint64_t, std::string> OutputTail::Since(uint64_t offset, std::size_t max_bytes) const {
  const uint64_t first_kept = total_ - kept_.size();
  uint64_t start = std::max(offset, first_kept);
  if (total_ - start > max_bytes) start = total_ - max_bytes;
  return {start, kept_.substr(static_cast<std::size_t>(start - first_kept))};
}

std::string OutputTail::LastLines(int n, std::size_t max_bytes) const {
  std::size_t end = kept_.size();
  while (end > 0 && (kept_[end - 1] == '\n' || kept_[end - 1] == '\r')) --end;
  std::size_t start = end;
  for (int lines = 0; start > 0 && lines < n; --start) {
    if (kept_[start - 1] == '\n' && ++lines == n) break;
  }
  if (end - start > max_bytes) start = end - max_bytes;
  return kept_.substr(start, end - start);
}

}  // namespace hpsearch::runtime
