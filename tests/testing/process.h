// Real processes for end-to-end tests: the CLI as a user runs it, and
// hpsearch-server on a free loopback port with its own SQLite file.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace hpsearch::testing {

inline std::string Bin(const std::string& name) { return std::string(HPSEARCH_BIN_DIR) + "/" + name; }
inline std::string Source(const std::string& rel) { return std::string(HPSEARCH_SOURCE_DIR) + "/" + rel; }

inline std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// A fresh directory under the test temp dir, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    path_ = std::filesystem::path(::testing::TempDir()) / (name + "-" + std::to_string(getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& f) const { return (path_ / f).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Starts argv[0] with stdout/stderr redirected to files and `env` ("NAME=value")
// added to this process's environment; returns the pid.
inline pid_t Spawn(const std::vector<std::string>& args, const std::string& out, const std::string& err,
                   const std::vector<std::string>& env = {}) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

struct Result {
  int code = -1;
  std::string out, err;
};

// Runs a command to completion.
inline Result RunProcess(const std::vector<std::string>& args) {
  static std::atomic<int> counter = 0;
  const std::string base = ::testing::TempDir() + "/run-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  const pid_t pid = Spawn(args, base + ".out", base + ".err");
  Result r;
  if (pid < 0) return r;
  int status = 0;
  waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(base + ".out");
  r.err = ReadFile(base + ".err");
  std::filesystem::remove(base + ".out");
  std::filesystem::remove(base + ".err");
  return r;
}

// Runs a command to completion or for at most `timeout` (then kills it: code -1).
inline Result RunProcessFor(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  static std::atomic<int> counter = 0;
  const std::string base =
      ::testing::TempDir() + "/runfor-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  const pid_t pid = Spawn(args, base + ".out", base + ".err");
  Result r;
  if (pid < 0) return r;
  const auto until = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() > until) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      r.code = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  r.out = ReadFile(base + ".out");
  r.err = ReadFile(base + ".err");
  std::filesystem::remove(base + ".out");
  std::filesystem::remove(base + ".err");
  return r;
}

// Resident memory of a process, in bytes (0 if it cannot be read).
inline int64_t ResidentBytes(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return 0;
}

// A port free on 127.0.0.1 right now, for a server that must come back on the same
// one after a crash. Drawn below Linux's ephemeral range (32768 and up by default), so
// no outgoing connection takes it as its local port while the server is down, and
// never the same twice in one test process.
inline int FreePort() {
  static std::mutex mu;
  static std::set<int> given;
  static std::minstd_rand draw(static_cast<unsigned>(getpid()) * 7919u +
                               static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::lock_guard lock(mu);
  for (;;) {
    const int port = 10000 + static_cast<int>(draw() % 22000);
    if (!given.insert(port).second) continue;
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    if (free) return port;
  }
}

// A background process with its output in a log file.
class Process {
 public:
  Process() = default;
  Process(const Process&) = delete;
  ~Process() { Kill(SIGKILL); }
  bool Start(const std::vector<std::string>& args, const std::string& log, const std::vector<std::string>& env = {}) {
    log_ = log;
    pid_ = Spawn(args, log + ".out", log, env);
    return pid_ > 0;
  }
  void Kill(int sig) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    if (sig == SIGKILL) Wait(std::chrono::seconds(10));
  }
  int Wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return exit_code_;
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {  // checks at least once, even with a zero timeout
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_code_;
      }
      if (std::chrono::steady_clock::now() >= until) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  pid_t pid() const { return pid_; }
  std::string log() const { return ReadFile(log_); }

 private:
  std::string log_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// hpsearch-server on 127.0.0.1 with a free port (or `listen`).
class ServerProcess {
 public:
  ServerProcess(std::string db, std::vector<std::string> extra = {}, std::string listen = "127.0.0.1:0")
      : db_(std::move(db)), extra_(std::move(extra)), listen_(std::move(listen)) {}
  // Once a start has a port (the kernel's pick when listening on port 0), later
  // starts listen on it again, as a restarted service does.
  void StayOnPort() { stay_on_port_ = true; }
  // Environment ("NAME=value") for the next Start only.
  void SetNextEnv(std::vector<std::string> env) { next_env_ = std::move(env); }
  // Starts and waits until it serves; false (with the log in `log()`) otherwise.
  bool Start() {
    port_file_ = db_ + ".port";
    log_ = db_ + ".log." + std::to_string(starts_++);
    std::filesystem::remove(port_file_);
    std::vector<std::string> args = {
        Bin("hpsearch-server"), "--listen", listen_, "--port-file", port_file_, "--db", db_};
    args.insert(args.end(), extra_.begin(), extra_.end());
    process_ = std::make_unique<Process>();
    const bool started = process_->Start(args, log_, next_env_);
    next_env_.clear();
    if (!started) return false;
    for (int i = 0; i < 300; ++i) {
      std::ifstream f(port_file_);
      int port = 0;
      if (f >> port && port > 0) {
        address_ = "127.0.0.1:" + std::to_string(port);
        if (stay_on_port_) listen_ = address_;
        return true;
      }
      if (process_->Wait(std::chrono::milliseconds(50)) >= 0) return false;  // exited
    }
    return false;
  }

  void Kill(int sig) {
    if (process_) process_->Kill(sig);
  }
  // The exit code (128 + signal), or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout) { return process_ ? process_->Wait(timeout) : -1; }

  const std::string& address() const { return address_; }
  std::string log() const { return ReadFile(log_); }
  // Every start's log, oldest first.
  std::string logs() const {
    std::string all;
    for (int i = 0; i < starts_; ++i) all += ReadFile(db_ + ".log." + std::to_string(i));
    return all;
  }
  // The exit code if the process has ended (it is reaped), else -1.
  int Exited() { return process_ ? process_->Wait(std::chrono::milliseconds(0)) : -1; }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  const std::string& db() const { return db_; }

  // The CLI against this server.
  Result Cli(std::vector<std::string> args) const {
    args.insert(args.begin(), {Bin("hpsearch"), "--server", address_});
    return RunProcess(args);
  }

 private:
  std::string db_;
  std::vector<std::string> extra_;
  std::string listen_;
  bool stay_on_port_ = false;
  std::string port_file_, log_, address_;
  std::unique_ptr<Process> process_;
  std::vector<std::string> next_env_;
  int starts_ = 0;
};

}  // namespace hpsearch::testing
