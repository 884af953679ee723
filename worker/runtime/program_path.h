// Where a program named without a '/' is found, as execvp finds it: one rule for the
// launcher that runs it and for the server that checks it at submission.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace hpsearch::runtime {

// The first regular, executable file called `name` in the directories of `path` (a
// PATH value; an empty entry is the working directory, and relative entries are
// taken from `cwd`, the program's working directory). Empty when there is none.
inline std::string FindOnPath(const std::string& name, const std::string& path, const std::string& cwd) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (dir.empty()) dir = ".";
    if (dir[0] != '/') dir = cwd + "/" + dir;
    const std::string candidate = dir + "/" + name;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (end == std::string::npos) return "";
    start = end + 1;
  }
}

}  // namespace hpsearch::runtime
