#include "worker/runtime/launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "worker/runtime/launch_protocol.h"

namespace hpsearch::runtime {

namespace {

// A kExited header as the ending it reports.
Ending EndingOf(const launch::Header& h) {
  Ending e;
  e.signaled = h.flag != 0;
  (e.signaled ? e.signal : e.code) = h.value;
  return e;
}

}  // namespace

Launcher::~Launcher() { Close(); }

void Launcher::Close() {
  if (sock_ >= 0) close(sock_);  // the launcher kills what it started and exits
  sock_ = -1;
  if (pid_ > 0) {
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

absl::Status Launcher::Ensure() {
  // One that died between trials (killed on its own) is replaced before it is asked.
  if (pid_ > 0 && !dead_) {
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_) {
      dead_ = true;
    }
  }
  if (dead_) {
    Close();
    dead_ = false;
    ended_.clear();
  }
  if (sock_ >= 0) return absl::OkStatus();
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return absl::ResourceExhaustedError(absl::StrCat("socketpair: ", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pair[1], 3);
  posix_spawnattr_t attr;
  // A group of its own: a kill of the server's group (a shell's job control,
  // `kill -9 -PGID`) leaves it to see the socket close and clean up.
  launch::NewGroupDefaultSignals(&attr);
  std::string arg0 = path_;
  char* argv[] = {arg0.data(), nullptr};
  char* envp[] = {nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, path_.c_str(), &actions, &attr, argv, envp);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  close(pair[1]);
  if (rc != 0) {
    close(pair[0]);
    return absl::FailedPreconditionError(absl::StrCat("cannot start ", path_, ": ", std::strerror(rc)));
  }
  pid_ = pid;
  sock_ = pair[0];
  return absl::OkStatus();
}

bool Launcher::alive() {
  if (dead_ || sock_ < 0) return false;
  pollfd p{sock_, POLLIN, 0};
  while (poll(&p, 1, 0) > 0 && ReadOne()) {
  }
  return !dead_;
}

bool Launcher::ReadOne() {
  launch::Header h;
  if (sock_ < 0 || dead_ || !launch::ReceiveAll(sock_, &h, sizeof h)) {
    dead_ = true;
    return false;
  }
  if (h.kind == launch::kExited) {
    ended_[h.pid] = EndingOf(h);
  } else if (h.kind == launch::kStarted || h.kind == launch::kRefused) {
    // Only Start() reads these; a stray one means the two sides disagree.
    dead_ = true;
    return false;
  }
  return true;
}

absl::StatusOr<pid_t> Launcher::Start(const SpawnSpec& spec, const int (&fds)[4]) {
  if (auto st = Ensure(); !st.ok()) return st;
  std::string payload = spec.cwd;
  payload.push_back('\0');
  for (const auto& a : spec.argv) {
    payload += a;
    payload.push_back('\0');
  }
  for (const auto& [k, v] : spec.env) {
    absl::StrAppend(&payload, k, "=", v);
    payload.push_back('\0');
  }
  if (payload.size() > launch::kMaxPayload) {
    return absl::InvalidArgumentError(absl::StrCat("cannot run '", spec.argv.at(0), "': its arguments and environment ",
                                                   "take ", payload.size(), " bytes (at most ", launch::kMaxPayload,
                                                   ")"));
  }
  launch::Header h;
  h.kind = launch::kSpawn;
  h.payload = static_cast<uint32_t>(payload.size());
  h.value = static_cast<int32_t>(spec.argv.size());
  h.flag = static_cast<int32_t>(spec.env.size());
  if (!launch::SendAll(sock_, &h, sizeof h, fds, 4) || !launch::SendAll(sock_, payload.data(), payload.size())) {
    dead_ = true;
    return absl::UnavailableError(absl::StrCat("the trial launcher ", path_, " is gone: ", std::strerror(errno)));
  }
  for (;;) {
    launch::Header reply;
    if (!launch::ReceiveAll(sock_, &reply, sizeof reply)) {
      dead_ = true;
      return absl::UnavailableError(absl::StrCat("the trial launcher ", path_, " died"));
    }
    if (reply.kind == launch::kStarted) return static_cast<pid_t>(reply.pid);
    if (reply.kind == launch::kRefused) {
      const int e = reply.value;
      const std::string why = absl::StrCat("cannot run '", spec.argv.at(0), "': ", std::strerror(e));
      switch (e) {
        case ENOENT:
          return absl::InvalidArgumentError(absl::StrCat(why, " (the program, or the interpreter its #! line names)"));
        case EACCES: {
          const std::string name = spec.argv.at(0).substr(spec.argv.at(0).rfind('/') + 1);
          const bool python = name.size() > 3 && name.compare(name.size() - 3, 3, ".py") == 0;
          return absl::InvalidArgumentError(
              absl::StrCat(why, " (not executable? chmod +x it, or name its interpreter: ", "command: [",
                           python ? "python3" : "sh", ", ", name, ", ...])"));
        }
        case ENOEXEC:
        case ENOTDIR:
        case ELOOP:
        case E2BIG:
        case ENAMETOOLONG:
        case EISDIR:
          return absl::InvalidArgumentError(why);  // the program's fault
        default:
          return absl::UnavailableError(why);  // this machine's (no processes, memory or files left)
      }
    }
    if (reply.kind == launch::kExited) ended_[reply.pid] = EndingOf(reply);
  }
}

std::optional<Ending> Launcher::Ended(pid_t pid) {
  const bool up = alive();  // reads what is waiting
  if (auto it = ended_.find(pid); it != ended_.end()) return it->second;
  if (!up) return Ending{.lost = true};
  return std::nullopt;
}

Ending Launcher::Wait(pid_t pid) {
  for (;;) {
    if (auto it = ended_.find(pid); it != ended_.end()) return it->second;
    if (!ReadOne()) return Ending{.lost = true};
  }
}

void Launcher::Release(pid_t pid) {
  ended_.erase(pid);
  if (dead_ || sock_ < 0) return;
  launch::Header h;
  h.kind = launch::kRelease;
  h.pid = pid;
  if (!launch::SendAll(sock_, &h, sizeof h)) dead_ = true;
}

}  // namespace hpsearch::runtime
