// Named fail points: places where a crash matters, compiled into every build.
//
//   HPSEARCH_FAILPOINTS=name[@n][,name[@n]...]
//
// makes the process die at the n-th pass (default: the first) through `name`, at
// once and as kill -9 would: one line on stderr, then _exit — no destructors, no
// buffered output, no SQLite rollback. Unset, a point costs one relaxed atomic load.
// `--list-failpoints` (server and worker) prints every name, one per line.
//
// Every name a Point() call uses is in kFailPointNames (failpoint.cc); a test checks
// that the sources and the list agree.
#pragma once

#include <atomic>
#include <span>
#include <string_view>

#include "absl/status/status.h"

namespace hpsearch::failpoint {

// Every fail point, in the order --list-failpoints prints them.
std::span<const std::string_view> Names();

// Arms the points in `spec` ("name[@n],..."). INVALID_ARGUMENT naming an unknown
// point (with a did-you-mean) or a bad pass number. Replaces earlier arming.
absl::Status Arm(std::string_view spec);
// Arm(getenv("HPSEARCH_FAILPOINTS")); OK when the variable is unset or empty.
absl::Status ArmFromEnvironment();

namespace internal {
extern std::atomic<bool> armed;
void Pass(std::string_view name);
}  // namespace internal

// Dies here when armed for this pass; otherwise returns at once.
inline void Point(std::string_view name) {
  if (internal::armed.load(std::memory_order_relaxed)) [[unlikely]] {
    internal::Pass(name);
  }
}

}  // namespace hpsearch::failpoint
