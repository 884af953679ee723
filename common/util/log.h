// One line per event on stderr: `2026-11-23T21:04:05.123Z INFO  message`, readable by
// `docker logs` and journald. Thread-safe; lines never interleave. Messages are
// written through Printable() (util/printable.h): a control character in a name or a
// reason shows as `\x1b`, so one event stays one line, whole.
#pragma once

#include <string>

#include "absl/strings/str_cat.h"

namespace hpsearch::log {

enum class Level { kDebug, kInfo, kWarn, kError };

void SetMinLevel(Level level);
void Write(Level level, const std::string& message);

template <typename... Args>
void Info(const Args&... args) {
  Write(Level::kInfo, absl::StrCat(args...));
}
template <typename... Args>
void Warn(const Args&... args) {
  Write(Level::kWarn, absl::StrCat(args...));
}
template <typename... Args>
void Error(const Args&... args) {
  Write(Level::kError, absl::StrCat(args...));
}
template <typename... Args>
void Debug(const Args&... args) {
  Write(Level::kDebug, absl::StrCat(args...));
}

}  // namespace hpsearch::log
