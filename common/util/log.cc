#include "common/util/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "common/util/printable.h"

namespace hpsearch::log {

namespace {

std::atomic<int> min_level{static_cast<int>(Level::kInfo)};
std::mutex mu;

const char* Name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO ";
    case Level::kWarn:
      return "WARN ";
    case Level::kError:
      return "ERROR";
  }
  return "?";
}

}  // namespace

void SetMinLevel(Level level) { min_level = static_cast<int>(level); }

void Write(Level level, const std::string& message) {
  if (static_cast<int>(level) < min_level.load()) return;
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  // Names, labels and failure reasons come from users and workers: escaped, so a NUL
  // cannot cut the line, a newline split it or an ESC drive the reader's terminal.
  const std::string line = Printable(message);
  std::lock_guard lock(mu);
  std::fprintf(stderr, "%s.%03dZ %s %.*s\n", stamp, static_cast<int>(ms % 1000), Name(level),
               static_cast<int>(line.size()), line.data());
  std::fflush(stderr);
}

}  // namespace hpsearch::log
