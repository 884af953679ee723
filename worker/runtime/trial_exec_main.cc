// hpsearch-trial-exec PROGRAM [ARG...]: the guard a command trial's program runs
// under (worker/runtime/child_process.h starts it).
//
// The runner starts it as the leader of a process group of its own; it starts the
// program in the same group and waits for it, and exits as the program did (the
// same exit code, or the same signal). Two things it is for:
//  * if the process that started it dies (a kill -9 of the server or the worker),
//    the kernel tells it (PR_SET_PDEATHSIG) and it kills the whole group: no trial
//    program, nor anything it forked, outlives its runner;
//  * the runner's SIGTERM to the group reaches the program, which decides what to
//    do with it; the guard ignores it and waits (SIGKILL ends everything).
// HPSEARCH_RUNNER_PID names the runner; if it is already gone, nothing starts.
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

void KillGroup(int) { kill(0, SIGKILL); }  // async-signal-safe; the guard goes with it

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: hpsearch-trial-exec PROGRAM [ARG...] (started by hpsearch's trial runner)\n");
    return 2;
  }
  struct sigaction on_death {};
  on_death.sa_handler = KillGroup;
  sigaction(SIGUSR1, &on_death, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGUSR1);
  const char* runner = std::getenv("HPSEARCH_RUNNER_PID");
  if (runner != nullptr && getppid() != static_cast<pid_t>(std::atol(runner))) return 1;  // the runner died first
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  const pid_t child = fork();
  if (child < 0) {
    std::fprintf(stderr, "hpsearch-trial-exec: cannot fork: %s\n", std::strerror(errno));
    return 126;
  }
  if (child == 0) {
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) signal(sig, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, 0);
    execvp(argv[1], argv + 1);
    std::fprintf(stderr, "hpsearch-trial-exec: cannot run '%s': %s\n", argv[1], std::strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
  signal(sig, SIG_DFL);
  raise(sig);
  return 128 + sig;
}
