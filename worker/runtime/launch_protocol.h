// What a slot's runner and its launcher (hpsearch-trial-exec) say to each other over
// the stream socket the launcher has as fd 3: fixed-size headers, a spawn request's
// strings after its header, and the program's four pipe ends passed with the spawn
// header (SCM_RIGHTS). libc only: the launcher is a small static program.
//
//   runner → launcher  kSpawn    value = argc, flag = envc; payload: cwd, argv…, env…
//                                 (each NUL-terminated); fds: stdout, stderr, report,
//                                 reply ends for the program's fds 1, 2, 3, 4
//   launcher → runner  kStarted  pid (the program, leader of its own process group)
//                      kRefused  value = errno (the program could not be started)
//                      kExited   pid, value = exit code or signal, flag = 1 if a signal;
//                                 the program stays a zombie, so its group's id is not
//                                 reused, until…
//   runner → launcher  kRelease  pid: reap it (after the runner killed its group)
//
// The launcher answers every kSpawn before reading on. When the runner's end closes
// (its process died, even by kill -9) the launcher kills every group it started and
// exits.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace hpsearch::runtime::launch {

enum Kind : uint8_t { kSpawn = 'S', kStarted = 'P', kRefused = 'E', kExited = 'X', kRelease = 'R' };

struct Header {
  uint32_t payload = 0;  // bytes that follow
  uint8_t kind = 0;
  uint8_t pad[3] = {0, 0, 0};
  int32_t pid = 0;
  int32_t value = 0;
  int32_t flag = 0;
};

inline constexpr int kPassedFds = 4;
// The most a spawn request may carry: argv and environment within exec's own limit.
inline constexpr uint32_t kMaxPayload = 4u << 20;

// posix_spawn attributes (initialised here; the caller destroys them) for a child that
// leads a new process group with every signal unblocked and at its default: the
// launcher (the server blocks SIGTERM in every thread to sigwait for it; its own
// group, so a signal to the server's group leaves it to clean up) and each program.
inline void NewGroupDefaultSignals(posix_spawnattr_t* attr) {
  posix_spawnattr_init(attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(attr, &none);
  posix_spawnattr_setsigdefault(attr, &all);
  posix_spawnattr_setpgroup(attr, 0);
  posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
}

// Writes all of `size` bytes (the first send carrying `fds` when given). False on error.
inline bool SendAll(int sock, const void* data, std::size_t size, const int* fds = nullptr, int nfds = 0) {
  const char* p = static_cast<const char*>(data);
  bool first = true;
  while (size > 0) {
    iovec iov{const_cast<char*>(p), size};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kPassedFds)] = {};
    if (first && nfds > 0) {
      msg.msg_control = control;
      msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
      std::memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    const ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    first = false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Reads exactly `size` bytes; fds passed with them land in `fds` (close-on-exec),
// *nfds set to how many. False at end of stream or on error.
inline bool ReceiveAll(int sock, void* data, std::size_t size, int* fds = nullptr, int* nfds = nullptr) {
  char* p = static_cast<char*>(data);
  if (nfds != nullptr) *nfds = 0;
  while (size > 0) {
    iovec iov{p, size};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kPassedFds)];
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      const int count = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      int received[kPassedFds];
      std::memcpy(received, CMSG_DATA(c), sizeof(int) * (count < kPassedFds ? count : kPassedFds));
      for (int i = 0; i < count && i < kPassedFds; ++i) {
        if (fds != nullptr && nfds != nullptr && *nfds < kPassedFds) {
          fds[(*nfds)++] = received[i];
        } else {
          close(received[i]);
        }
      }
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace hpsearch::runtime::launch
