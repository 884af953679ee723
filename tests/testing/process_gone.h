// Whether processes have ended, for tests that check nothing a trial started
// survives: a zombie counts as ended (it runs nothing; its parent may be an init
// that does not reap).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace hpsearch::testing {

// Whether `pid` runs: it exists and is not a zombie (/proc/PID/stat's state).
inline bool ProcessRuns(pid_t pid) {
  if (pid <= 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close_paren = line.rfind(')');
  return close_paren != std::string::npos && line.size() > close_paren + 2 && line[close_paren + 2] != 'Z';
}

// Waits up to `limit` for every pid to have ended.
inline bool AllGone(const std::vector<pid_t>& pids, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    bool any = false;
    for (pid_t p : pids) any = any || ProcessRuns(p);
    if (!any) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace hpsearch::testing
