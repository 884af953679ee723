#include "worker/runtime/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "worker/runtime/launcher.h"

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

}  // namespace

std::string Ending::Describe() const {
  if (lost) return "ended when its launcher (hpsearch-trial-exec) died";
  if (!signaled) return absl::StrCat("exited with code ", code);
  const char* name = sigabbrev_np(signal);
  return absl::StrCat("killed by ", name ? absl::StrCat("SIG", name) : absl::StrCat("signal ", signal));
}

absl::StatusOr<ChildProcess> ChildProcess::Spawn(const SpawnSpec& spec, Launcher& launcher) {
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
  const int fds[4] = {out.write, err.write, report.write, reply.read};
  auto pid = launcher.Start(spec, fds);
  for (int* fd : {&out.write, &err.write, &report.write, &reply.read}) CloseFd(*fd);
  ChildProcess child;
  child.out_ = out.read;
  child.err_ = err.read;
  child.report_ = report.read;
  child.reply_ = reply.write;
  if (!pid.ok()) return pid.status();
  child.launcher_ = &launcher;
  child.pid_ = *pid;
  // Opened while the launcher holds the program, so it names this process.
  child.leader_ = static_cast<int>(syscall(SYS_pidfd_open, *pid, 0));
  for (int fd : {child.out_, child.err_, child.report_, child.reply_}) NonBlocking(fd);
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : launcher_(o.launcher_),
      pid_(o.pid_),
      out_(o.out_),
      err_(o.err_),
      report_(o.report_),
      reply_(o.reply_),
      leader_(o.leader_),
      reaped_(o.reaped_) {
  o.pid_ = -1;
  o.out_ = o.err_ = o.report_ = o.reply_ = o.leader_ = -1;
  o.reaped_ = true;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    Signal(SIGKILL);
    (void)Finish();
  }
  for (int* fd : {&out_, &err_, &report_, &reply_, &leader_}) CloseFd(*fd);
}

int ChildProcess::exit_fd() const { return launcher_ != nullptr && !reaped_ ? launcher_->fd() : -1; }

void ChildProcess::CloseReply() { CloseFd(reply_); }

bool ChildProcess::GroupIsOurs() {
  if (launcher_->alive()) return true;
  pollfd p{leader_, POLLIN, 0};
  return leader_ >= 0 && poll(&p, 1, 0) == 0;  // readable once the leader has ended
}

void ChildProcess::Signal(int sig) {
  if (pid_ > 0 && !reaped_ && GroupIsOurs()) kill(-pid_, sig);
}

bool ChildProcess::Exited() {
  if (pid_ <= 0 || reaped_) return true;
  return launcher_->Ended(pid_).has_value();
}

Ending ChildProcess::Finish() {
  if (pid_ <= 0 || reaped_) return Ending{};
  // What the program left in its group (the zombie leader keeps the group's id; with
  // its launcher gone and the leader reaped by init, the id may be another's now).
  if (GroupIsOurs()) kill(-pid_, SIGKILL);
  const Ending e = launcher_->Wait(pid_);
  launcher_->Release(pid_);
  reaped_ = true;
  return e;
}

}  // namespace hpsearch::runtime
