// A slot's launcher: the one hpsearch-trial-exec process (worker/runtime/
// trial_exec_main.cc) that starts the slot's command trials, kept between trials.
// Started on first use, and again if it died; closing it (the destructor, or this
// process dying) makes it kill every process group it started.
//
// Not thread-safe: one slot's thread owns it. A launcher runs one program at a time
// in practice (a slot runs one trial), though nothing here depends on it.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "worker/runtime/child_process.h"

namespace hpsearch::runtime {

class Launcher {
 public:
  explicit Launcher(std::string path) : path_(std::move(path)) {}
  Launcher(const Launcher&) = delete;
  Launcher& operator=(const Launcher&) = delete;
  ~Launcher();

  // Starts `spec` (its argv, cwd and env) with fds[i] as the program's fd i + 1, in a
  // new process group led by the program (whose pid is returned). INVALID_ARGUMENT
  // naming the program when it cannot be run (missing, not executable); other codes
  // when the launcher itself cannot be started or reached.
  absl::StatusOr<pid_t> Start(const SpawnSpec& spec, const int (&fds)[4]);

  // Readable when the launcher has something to say (a program ended) or died.
  int fd() const { return sock_; }
  // How `pid` ended, once it has (reads what is waiting; never blocks). A launcher
  // that died ends its programs: Ending::lost.
  std::optional<Ending> Ended(pid_t pid);
  // Waits until `pid` has ended and returns how (call after killing its group).
  Ending Wait(pid_t pid);
  // Lets the launcher reap `pid` (after its group was killed: the group's id stays
  // taken until then).
  void Release(pid_t pid);

  pid_t pid() const { return pid_; }  // the launcher's own (-1 when not running)
  // Whether it is still there (reads what is waiting first). While it is, the
  // programs it started are held (a zombie until released): their group ids are ours.
  bool alive();

 private:
  absl::Status Ensure();
  bool ReadOne();  // one message; false (and the launcher marked dead) at its end
  void Close();

  std::string path_;
  pid_t pid_ = -1;
  int sock_ = -1;
  bool dead_ = false;
  std::map<pid_t, Ending> ended_;
};

}  // namespace hpsearch::runtime
