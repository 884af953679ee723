// A command trial's program, as the runner sees it: started by the slot's launcher
// (worker/runtime/launcher.h) in a new process group it leads, with stdin from
// /dev/null, stdout and stderr on pipes, the report pipe on fd 3 and the reply pipe
// on fd 4, in a working directory and environment of the runner's choosing, every
// signal unblocked and at its default.
//
// Ending it: Signal() sends to the whole group; Exited() notices the program's end
// (the launcher keeps it a zombie), so that Finish() can kill what it left behind in
// its group (a forked child) while the group's id cannot yet be reused, and then
// let the launcher reap it. Not thread-safe; one runner thread owns it. The
// destructor kills and reaps.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hpsearch::runtime {

class Launcher;

struct SpawnSpec {
  std::vector<std::string> argv;           // the program and its arguments
  std::string cwd;                         // its working directory
  std::map<std::string, std::string> env;  // its whole environment
};

// How a process ended: an exit code, or the signal that killed it.
struct Ending {
  int code = 0;    // when !signaled
  int signal = 0;  // when signaled
  bool signaled = false;
  bool lost = false;             // its launcher died first: how it ended is not known
  std::string Describe() const;  // "exited with code 3", "killed by SIGKILL"
};

class ChildProcess {
 public:
  // Starts it through `launcher`, which must outlive it; the runner's ends of the
  // pipes are non-blocking and close-on-exec. INVALID_ARGUMENT when the program
  // cannot be run (Launcher::Start).
  static absl::StatusOr<ChildProcess> Spawn(const SpawnSpec& spec, Launcher& launcher);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }  // also the group's id
  int stdout_fd() const { return out_; }
  int stderr_fd() const { return err_; }
  int report_fd() const { return report_; }  // the program's reports come in here
  // Readable when the launcher has news (the program's end): poll it with the pipes,
  // and the end is seen at once, not at the next tick.
  int exit_fd() const;
  int reply_fd() const { return reply_; }  // the runner's answers go out here
  // Closes the runner's end of the reply pipe (a program waiting for an answer
  // then reads end-of-file).
  void CloseReply();

  void Signal(int sig);  // to the whole group
  // Whether the program has ended (it is not reaped yet).
  bool Exited();
  // Kills whatever is left of the group, waits for the program's end, lets the
  // launcher reap it and returns how it ended.
  Ending Finish();

 private:
  ChildProcess() = default;
  // Whether a signal to -pid_ reaches this program's group: its launcher holds the
  // leader (alive or a zombie), or, its launcher gone, the leader still runs.
  bool GroupIsOurs();

  Launcher* launcher_ = nullptr;
  pid_t pid_ = -1;
  int out_ = -1, err_ = -1, report_ = -1, reply_ = -1;
  int leader_ = -1;  // a pidfd of the program, for when its launcher is gone
  bool reaped_ = false;
};

}  // namespace hpsearch::runtime
