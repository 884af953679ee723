// hpsearch-trial-exec: the launcher a slot starts its command trials' programs
// through (worker/runtime/launcher.h starts it, once per slot, with a socket as fd 3;
// worker/runtime/launch_protocol.h is what they say).
//
// It starts each program as the leader of a new process group (stdin /dev/null, the
// runner's pipes as fds 1-4, every signal unblocked and at its default), tells the
// runner when it has ended, and reaps it when the runner says so. What it is for:
//  * when the runner's process dies, even by kill -9, its end of the socket closes and
//    the launcher kills every process group it started: no trial program, nor anything
//    it forked, outlives its runner;
//  * one small process forks each program, not the server: starting a trial costs a
//    fork of this process and the program's exec, not an exec of a guard as well.
// It is the programs' subreaper (PR_SET_CHILD_SUBREAPER): what a program leaves
// behind outside its group (a `setsid` child, a daemon's double fork) is adopted by
// it, not by init, and killed when the trial ends (when no program of its runs) or
// the runner goes. SIGTERM, SIGINT and SIGHUP are ignored (a terminal's ^C reaches
// the server, which ends its trials itself); SIGKILL ends it, and then the runner
// kills the groups (what they adopted is left to init).
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "worker/runtime/launch_protocol.h"
#include "worker/runtime/program_path.h"

namespace {

namespace launch = hpsearch::runtime::launch;

constexpr int kSocket = 3;

struct Child {
  pid_t pid;
  bool reported;
};
std::vector<Child> children;

bool Tracked(pid_t pid) {
  for (const Child& c : children) {
    if (c.pid == pid) return true;
  }
  return false;
}

// The processes this launcher adopted (its children that are not programs it
// started), from /proc. Empty where the kernel does not list children.
std::vector<pid_t> Adopted() {
  std::vector<pid_t> pids;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/children", static_cast<int>(getpid()));
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return pids;
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  close(fd);
  const char* at = text.c_str();
  for (char* end = nullptr;; at = end) {
    const long pid = std::strtol(at, &end, 10);
    if (end == at) break;
    if (!Tracked(static_cast<pid_t>(pid))) pids.push_back(static_cast<pid_t>(pid));
  }
  return pids;
}

// Reaps adopted processes that have ended by themselves.
void ReapAdopted() {
  for (pid_t pid : Adopted()) waitpid(pid, nullptr, WNOHANG);
}

using Clock = std::chrono::steady_clock;

// Reaps `pid` (a child, sent SIGKILL) once it has ended, waiting until `until` at
// most: false for one still there then (stuck in the kernel: a hung mount), left to
// init when this launcher exits rather than holding up the next trial.
bool ReapBy(pid_t pid, Clock::time_point until) {
  for (;;) {
    const pid_t r = waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return true;
    if (Clock::now() >= until) return false;
    usleep(1000);
  }
}

// Kills every adopted process, and its group unless that is the launcher's, and reaps
// it; what they leave is adopted in turn, so until none is left. Bounded: a process
// it may not signal (another user's: `sudo cmd &`) or that does not die within 3 s is
// given up on, and so is a fork bomb after 1000 rounds.
void EndAdopted() {
  const pid_t own = getpgrp();
  const auto until = Clock::now() + std::chrono::seconds(3);
  std::vector<pid_t> given_up;
  const auto skip = [&](pid_t pid) { return std::find(given_up.begin(), given_up.end(), pid) != given_up.end(); };
  for (int round = 0; round < 1000; ++round) {
    std::vector<pid_t> pids;
    for (pid_t pid : Adopted()) {
      if (!skip(pid)) pids.push_back(pid);
    }
    if (pids.empty()) return;
    std::vector<pid_t> killed;
    for (pid_t pid : pids) {
      const pid_t group = getpgid(pid);
      if (group > 0 && group != own) kill(-group, SIGKILL);
      if (kill(pid, SIGKILL) == 0 || errno == ESRCH) {
        killed.push_back(pid);
      } else {
        given_up.push_back(pid);
      }
    }
    for (pid_t pid : killed) {
      if (!ReapBy(pid, until)) given_up.push_back(pid);
    }
  }
}

// Kills every program's group and reaps the programs (what they leave outside their
// groups is adopted here as they end), then ends what was adopted.
void KillAll() {
  for (const Child& c : children) kill(-c.pid, SIGKILL);
  const auto until = Clock::now() + std::chrono::seconds(3);
  for (const Child& c : children) ReapBy(c.pid, until);
  children.clear();
  EndAdopted();
}

bool Send(const launch::Header& h) { return launch::SendAll(kSocket, &h, sizeof h); }

// `name` as execvp would find it: itself when it has a '/', else the first regular
// executable file of that name on the program's PATH (from its environment, not ours;
// glibc's "/bin:/usr/bin" without one), relative entries taken from the program's
// working directory. Empty when there is none.
std::string Resolve(const std::string& name, const std::string& cwd, const std::vector<char*>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/bin:/usr/bin";
  for (char* e : env) {
    if (e != nullptr && std::strncmp(e, "PATH=", 5) == 0) path = e + 5;
  }
  return hpsearch::runtime::FindOnPath(name, path, cwd);
}

// One spawn request: its payload's strings, the program's pipe ends.
void Spawn(const launch::Header& h, const int* fds, int nfds) {
  std::vector<char> payload(h.payload + 1, '\0');
  const bool read_ok = launch::ReceiveAll(kSocket, payload.data(), h.payload);
  launch::Header reply;
  if (!read_ok || nfds != launch::kPassedFds || h.value < 1 || h.flag < 0) {
    reply.kind = launch::kRefused;
    reply.value = EINVAL;
  } else {
    std::vector<char*> strings;
    for (std::size_t at = 0; at < h.payload; at += std::strlen(&payload[at]) + 1) strings.push_back(&payload[at]);
    if (strings.size() != 1u + static_cast<std::size_t>(h.value) + static_cast<std::size_t>(h.flag)) {
      reply.kind = launch::kRefused;
      reply.value = EINVAL;
    } else {
      const char* cwd = strings[0];
      std::vector<char*> argv(strings.begin() + 1, strings.begin() + 1 + h.value);
      std::vector<char*> envp(strings.begin() + 1 + h.value, strings.end());
      argv.push_back(nullptr);
      envp.push_back(nullptr);
      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
      for (int i = 0; i < launch::kPassedFds; ++i) posix_spawn_file_actions_adddup2(&actions, fds[i], i + 1);
      posix_spawn_file_actions_addchdir_np(&actions, cwd);
      posix_spawnattr_t attr;
      launch::NewGroupDefaultSignals(&attr);
      std::string program = Resolve(argv[0], cwd, envp);
      pid_t pid = -1;
      int rc = program.empty() ? ENOENT : posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
      if (rc == ENOEXEC) {
        // A script without a #! line: run by /bin/sh, as execvp and the shells do.
        std::vector<char*> sh = {const_cast<char*>("/bin/sh"), program.data()};
        sh.insert(sh.end(), argv.begin() + 1, argv.end());
        rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, sh.data(), envp.data());
      }
      posix_spawnattr_destroy(&attr);
      posix_spawn_file_actions_destroy(&actions);
      if (rc == 0) {
        children.push_back({pid, false});
        reply.kind = launch::kStarted;
        reply.pid = pid;
      } else {
        reply.kind = launch::kRefused;
        reply.value = rc;
      }
    }
  }
  for (int i = 0; i < nfds; ++i) close(fds[i]);
  if (!Send(reply)) {
    KillAll();
    _exit(0);
  }
}

// Tells the runner of each program that has ended (left a zombie until released).
void ReportEnded() {
  for (Child& c : children) {
    if (c.reported) continue;
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(c.pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != c.pid) {
      continue;
    }
    c.reported = true;
    launch::Header h;
    h.kind = launch::kExited;
    h.pid = c.pid;
    h.value = info.si_status;
    h.flag = info.si_code == CLD_EXITED ? 0 : 1;
    if (!Send(h)) {
      KillAll();
      _exit(0);
    }
  }
}

void Release(pid_t pid) {
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (children[i].pid != pid) continue;
    kill(-pid, SIGKILL);  // in case the runner did not
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    children.erase(children.begin() + static_cast<std::ptrdiff_t>(i));
    // What the trial left outside its group ends with it (never while a program
    // runs here: what it started may still be needed).
    if (children.empty()) EndAdopted();
    return;
  }
}

}  // namespace

int main(int argc, char** /*argv*/) {
  if (argc != 1 || fcntl(kSocket, F_GETFD) < 0) {
    std::fprintf(stderr, "hpsearch-trial-exec: started by hpsearch's trial runner, with its socket as fd 3\n");
    return 2;
  }
  fcntl(kSocket, F_SETFD, FD_CLOEXEC);
  // The programs' subreaper only where the kernel lists a process's children (which
  // is how what it adopts is found and reaped): elsewhere those stay init's.
  char children_file[64];
  std::snprintf(children_file, sizeof children_file, "/proc/self/task/%d/children", static_cast<int>(getpid()));
  if (access(children_file, R_OK) == 0) prctl(PR_SET_CHILD_SUBREAPER, 1);
  // Nothing of the runner's but the socket (a file it had open without close-on-exec
  // would stay open here for the slot's life, and reach every program).
  close_range(kSocket + 1, ~0U, 0);
  // Fds 0-2 taken, so that nothing received lands on a program's fd number.
  for (int fd = 0; fd < 3; ++fd) {
    if (fcntl(fd, F_GETFD) < 0) open("/dev/null", O_RDWR);
  }
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);
  const int ended = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (ended < 0) {
    std::fprintf(stderr, "hpsearch-trial-exec: signalfd: %s\n", std::strerror(errno));
    return 2;  // the runner sees its socket close and starts no trial through it
  }
  for (;;) {
    pollfd fds[2] = {{kSocket, POLLIN, 0}, {ended, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info;
      while (read(ended, &info, sizeof info) > 0) {
      }
      ReportEnded();
      ReapAdopted();
    }
    if (fds[0].revents == 0) continue;
    launch::Header h;
    int passed[launch::kPassedFds];
    int npassed = 0;
    if (!launch::ReceiveAll(kSocket, &h, sizeof h, passed, &npassed)) break;  // the runner is gone
    if (h.kind == launch::kSpawn && h.payload <= launch::kMaxPayload) {
      Spawn(h, passed, npassed);
      ReportEnded();  // a program that ended before it was counted
    } else {
      for (int i = 0; i < npassed; ++i) close(passed[i]);
      if (h.kind == launch::kRelease)
        Release(h.pid);
      else if (h.kind == launch::kSpawn)
        break;  // a request past every limit: the runner is confused
    }
  }
  KillAll();
  return 0;
}
