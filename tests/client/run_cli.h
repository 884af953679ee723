// Runs the real `hpsearch` binary with `args` (a shell word list), as a user would.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace hpsearch::testing {

struct CliResult {
  int code;
  std::string out;  // stdout and stderr together
};

// `command` run by /bin/sh, its stdout and stderr together.
inline CliResult RunShell(const std::string& command) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

inline CliResult RunCli(const std::string& args) {
  return RunShell(std::string(HPSEARCH_BIN_DIR) + "/hpsearch " + args);
}

}  // namespace hpsearch::testing
