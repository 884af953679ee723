#include "server/store/trial_logs.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace hpsearch::store {

namespace fs = std::filesystem;

namespace {

uint64_t ReadStart(const std::string& path) {
  std::ifstream f(path + ".start");
  uint64_t start = 0;
  f >> start;
  return start;
}

void WriteStart(const std::string& path, uint64_t start) { std::ofstream(path + ".start") << start << "\n"; }

uint64_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

}  // namespace

std::string TrialLogs::Path(const std::string& sweep_id, int64_t index, int32_t attempt,
                            OutputChunk::Stream stream) const {
  return (fs::path(state_dir_) / sweep_id / std::to_string(index) / std::to_string(attempt) /
          (stream == OutputChunk::Stream::kStderr ? "stderr.log" : "stdout.log"))
      .string();
}

void TrialLogs::Append(const LeaseKey& key, const std::vector<OutputChunk>& chunks) {
  std::lock_guard lock(mu_);
  for (const auto& c : chunks) {
    if (c.bytes.empty()) continue;
    const std::string path = Path(key.sweep_id, key.index, key.attempt, c.stream);
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    uint64_t start = ReadStart(path), end = start + FileSize(path);
    std::string_view bytes = c.bytes;
    if (c.offset > end || c.offset + bytes.size() < start) {
      std::ofstream(path, std::ios::binary | std::ios::trunc);  // a gap: keep from here on
      start = end = c.offset;
      WriteStart(path, start);
    }
    if (c.offset < end) bytes.remove_prefix(std::min<uint64_t>(end - c.offset, bytes.size()));
    if (bytes.empty()) continue;
    std::ofstream(path, std::ios::binary | std::ios::app)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    end += bytes.size();
    if (end - start > 2 * max_) {
      // Keep the last max_ bytes (rewritten about once per max_ bytes shipped).
      std::string kept(max_, '\0');
      std::ifstream in(path, std::ios::binary);
      in.seekg(static_cast<std::streamoff>(end - start - max_));
      in.read(kept.data(), static_cast<std::streamsize>(max_));
      std::ofstream(path, std::ios::binary | std::ios::trunc).write(kept.data(), static_cast<std::streamsize>(max_));
      WriteStart(path, end - max_);
    }
  }
}

TrialLogs::Slice TrialLogs::Read(const std::string& sweep_id, int64_t index, int32_t attempt,
                                 OutputChunk::Stream stream, uint64_t offset, std::size_t max_bytes) const {
  std::lock_guard lock(mu_);
  const std::string path = Path(sweep_id, index, attempt, stream);
  Slice s;
  const uint64_t start = ReadStart(path), size = FileSize(path);
  s.end = start + size;
  // The file may hold up to twice max_ between trims: serve the last max_ only.
  s.offset = std::clamp(offset, std::max(start, s.end > max_ ? s.end - max_ : 0), s.end);
  const uint64_t n = std::min<uint64_t>(s.end - s.offset, max_bytes);
  s.bytes.resize(n);
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(s.offset - start));
  in.read(s.bytes.data(), static_cast<std::streamsize>(n));
  s.bytes.resize(static_cast<std::size_t>(in.gcount()));
  return s;
}

}  // namespace hpsearch::store
