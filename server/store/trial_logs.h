// Command trials' output as the server keeps it (`hpsearch logs`, the dashboard's
// trial page): per attempt and stream, the last `max_bytes` of what the program wrote,
// in `<state_dir>/<sweep>/<trial>/<attempt>/{stdout,stderr}.log`, appended as the
// runner ships it (embedded slots and remote workers alike).
//
// The file is trimmed to the last `max_bytes` once it holds twice that (so a flood
// costs one rewrite per `max_bytes` shipped), and Read serves the last `max_bytes`.
// Offsets are positions in all the stream ever wrote: a file holds the bytes from
// `start` on (its sidecar `.start` says where), older ones were dropped. A chunk
// that overlaps what is kept adds only what is new (a resent report); one that starts
// past the end (the runner skipped output it could not ship) restarts the file there.
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/protocol/epoch_report.h"

namespace hpsearch::store {

class TrialLogs {
 public:
  explicit TrialLogs(std::string state_dir, std::size_t max_bytes = std::size_t{1} << 20)
      : state_dir_(std::move(state_dir)), max_(max_bytes) {}

  void Append(const LeaseKey& key, const std::vector<OutputChunk>& chunks);

  struct Slice {
    std::string bytes;    // from `offset` on
    uint64_t offset = 0;  // >= the asked offset when older bytes were dropped
    uint64_t end = 0;     // all the stream has written so far (as shipped)
  };
  // At most `max_bytes` of a stream from `offset` on (an empty slice, end 0, when the
  // attempt wrote nothing yet).
  Slice Read(const std::string& sweep_id, int64_t index, int32_t attempt, OutputChunk::Stream stream, uint64_t offset,
             std::size_t max_bytes) const;

 private:
  std::string Path(const std::string& sweep_id, int64_t index, int32_t attempt, OutputChunk::Stream stream) const;

  const std::string state_dir_;
  const std::size_t max_;
  mutable std::mutex mu_;
};

}  // namespace hpsearch::store
