#include "util/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace hpsearch::log {

namespace {

std::atomic<int> min_level{static_cast<int>(Level::kInfo)};
std::mutex mu;

const char* Name(Level l) {
  switch (l) {
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO ";
    case Level::kWarn: return "WARN ";
    case Level::kError: return "ERROR";
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
  std::string line;
  line.reserve(message.size() + 40);
  for (char c : message) line += (c == '\n' ? ' ' : c);
  std::lock_guard lock(mu);
  std::fprintf(stderr, "%s.%03dZ %s %s\n", stamp, static_cast<int>(ms % 1000), Name(level), line.c_str());
  std::fflush(stderr);
}

}  // namespace hpsearch::log
