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

inline CliResult RunCli(const std::string& args) {
  const std::string cmd = std::string(HPSEARCH_BIN_DIR) + "/hpsearch " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace hpsearch::testing
