#include "worker/runtime/child_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace hpsearch::runtime {

namespace {

struct Pipe {
  int read = -1, write = -1;
};

absl::StatusOr<Pipe> MakePipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::ResourceExhaustedError(absl::StrCat("pipe: ", std::strerror(errno)));
  return Pipe{fds[0], fds[1]};
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

void NonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// posix_spawn's attributes: a new process group, no blocked signals (the server
// blocks SIGTERM in every thread to sigwait for it), every signal at its default.
struct Attributes {
  posix_spawnattr_t attr;
  Attributes() {
    posix_spawnattr_init(&attr);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  ~Attributes() { posix_spawnattr_destroy(&attr); }
};

}  // namespace

std::string Ending::Describe() const {
  if (!signaled) return absl::StrCat("exited with code ", code);
  const char* name = sigabbrev_np(signal);
  return absl::StrCat("killed by ", name ? absl::StrCat("SIG", name) : absl::StrCat("signal ", signal));
}

absl::StatusOr<ChildProcess> ChildProcess::Spawn(const SpawnSpec& spec) {
  Pipe out, err, report, reply;
  for (Pipe* p : {&out, &err, &report, &reply}) {
    auto made = MakePipe();
    if (!made.ok()) {
      for (Pipe* q : {&out, &err, &report, &reply}) {
        CloseFd(q->read);
        CloseFd(q->write);
      }
      return made.status();
    }
    *p = *made;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write, 2);
  posix_spawn_file_actions_adddup2(&actions, report.write, 3);
  posix_spawn_file_actions_adddup2(&actions, reply.read, 4);
  posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  std::vector<std::string> argv_text = {spec.guard};
  argv_text.insert(argv_text.end(), spec.argv.begin(), spec.argv.end());
  std::vector<char*> argv, envp;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (const auto& [k, v] : spec.env) env_text.push_back(k + "=" + v);
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  Attributes attr;
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, spec.guard.c_str(), &actions, &attr.attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  for (int* fd : {&out.write, &err.write, &report.write, &reply.read}) CloseFd(*fd);
  ChildProcess child;
  child.out_ = out.read;
  child.err_ = err.read;
  child.report_ = report.read;
  child.reply_ = reply.write;
  if (rc != 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot start ", spec.guard, ": ", std::strerror(rc)));
  }
  child.pid_ = pid;
  for (int fd : {child.out_, child.err_, child.report_, child.reply_}) NonBlocking(fd);
  child.exit_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(o.pid_),
      out_(o.out_),
      err_(o.err_),
      report_(o.report_),
      reply_(o.reply_),
      exit_(o.exit_),
      reaped_(o.reaped_) {
  o.pid_ = -1;
  o.out_ = o.err_ = o.report_ = o.reply_ = o.exit_ = -1;
  o.reaped_ = true;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    Signal(SIGKILL);
    (void)Finish();
  }
  for (int* fd : {&out_, &err_, &report_, &reply_, &exit_}) CloseFd(*fd);
}

void ChildProcess::CloseReply() { CloseFd(reply_); }

void ChildProcess::Signal(int sig) const {
  if (pid_ > 0 && !reaped_) kill(-pid_, sig);
}

bool ChildProcess::Exited() const {
  if (pid_ <= 0 || reaped_) return true;
  siginfo_t info{};
  // WNOWAIT: the guard stays a zombie, so its pid (the group's id) is not reused
  // before Finish() has killed the rest of the group.
  return waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_;
}

Ending ChildProcess::Finish() {
  Ending e;
  if (pid_ <= 0 || reaped_) return e;
  kill(-pid_, SIGKILL);  // what the program left in its group
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  if (WIFSIGNALED(status)) {
    e.signaled = true;
    e.signal = WTERMSIG(status);
  } else {
    e.code = WEXITSTATUS(status);
  }
  return e;
}

}  // namespace hpsearch::runtime
