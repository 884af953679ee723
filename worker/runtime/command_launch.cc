#include "worker/runtime/command_launch.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/protocol/command.h"
#include "common/util/did_you_mean.h"
#include "common/util/printable.h"
#include "common/util/value_json.h"
#include "worker/runtime/program_path.h"

extern char** environ;

namespace hpsearch::runtime {

namespace {

std::map<std::string, std::string> InheritedEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    const std::size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = entry.substr(0, eq);
    // The token authorises everything on the server: a trial's program never sees it.
    if (name.rfind("HPSEARCH_", 0) == 0) continue;
    env[name] = entry.substr(eq + 1);
  }
  return env;
}

// argv[0] as written: a file of the commands directory when it is there (`command:
// [train.sh]`; one without the execute bit too, so that the trial fails with
// "Permission denied", not "No such file"), else looked up in PATH by the launcher.
std::string Program(const std::string& argv0, const std::string& dir) {
  if (argv0.find('/') != std::string::npos) return argv0;
  const std::string local = (std::filesystem::path(dir) / argv0).string();
  std::error_code ec;
  return std::filesystem::is_regular_file(local, ec) ? local : argv0;
}

}  // namespace

absl::StatusOr<CommandEnvironment> FindCommandEnvironment(const std::string& dir, const std::string& state_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return absl::FailedPreconditionError(absl::StrCat("--commands ", dir, ": not a directory"));
  fs::create_directories(state_dir, ec);
  if (!fs::is_directory(state_dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat("--state-dir ", state_dir, ": cannot make the directory"));
  }
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  CommandEnvironment env;
  env.dir = fs::absolute(dir).lexically_normal().string();
  env.state_dir = fs::absolute(state_dir).lexically_normal().string();
  env.launcher = (exe.parent_path() / "hpsearch-trial-exec").string();
  if (access(env.launcher.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("--commands needs ", env.launcher, " (installed with hpsearch)"));
  }
  if (const char* python = std::getenv("HPSEARCH_PYTHON_DIR")) {
    env.python_dir = python;
  } else {
    for (const fs::path& p : {exe.parent_path().parent_path() / "python",
                              exe.parent_path().parent_path() / "lib" / "hpsearch" / "python"}) {
      if (fs::is_regular_file(p / "hpsearch" / "__init__.py", ec)) {
        env.python_dir = p.string();
        break;
      }
    }
  }
  return env;
}

absl::Status CheckProgram(const CommandSpec& command, const CommandEnvironment& env) {
  namespace fs = std::filesystem;
  if (command.argv.empty()) return absl::OkStatus();
  const std::string& name = command.argv[0];
  if (name.find('{') != std::string::npos) return absl::OkStatus();
  std::error_code ec;
  const auto file = [&](const fs::path& p) { return fs::is_regular_file(p, ec); };
  // As the launcher runs it: a file that is there but not executable fails every trial.
  const auto runnable = [&](const fs::path& p) -> absl::Status {
    if (access(p.c_str(), X_OK) == 0) return absl::OkStatus();
    const std::string base = p.filename().string();
    const bool python = base.size() > 3 && base.compare(base.size() - 3, 3, ".py") == 0;
    return absl::InvalidArgumentError(absl::StrCat("trainer.command[0]: ", Quoted(name),
                                                   " is not executable: chmod +x it, or name its interpreter: [",
                                                   python ? "python3" : "sh", ", ", name, ", ...]"));
  };
  if (name.find('/') != std::string::npos) {
    const fs::path p = fs::path(name).is_absolute() ? fs::path(name) : fs::path(env.dir) / name;
    if (file(p)) return runnable(p);
    return absl::InvalidArgumentError(
        absl::StrCat("trainer.command[0]: ", Quoted(name), " is not a file (", Quoted(p.string()), ")"));
  }
  if (file(fs::path(env.dir) / name)) return runnable(fs::path(env.dir) / name);
  std::string path = "/bin:/usr/bin";
  if (auto it = command.env.find("PATH"); it != command.env.end()) {
    path = it->second;
  } else if (const char* own = std::getenv("PATH")) {
    path = own;
  }
  if (!FindOnPath(name, path, env.dir).empty()) return absl::OkStatus();
  std::vector<std::string> local;
  for (auto it = fs::directory_iterator(env.dir, ec); !ec && it != fs::directory_iterator() && local.size() < 1000;
       it.increment(ec)) {
    local.push_back(it->path().filename().string());
  }
  return absl::InvalidArgumentError(absl::StrCat("trainer.command[0]: ", Quoted(name),
                                                 " is neither in this server's --commands directory nor on PATH",
                                                 DidYouMean(name, local)));
}

std::string AttemptDir(const CommandEnvironment& env, const LeaseKey& key) {
  return (std::filesystem::path(env.state_dir) / key.sweep_id / std::to_string(key.index) / std::to_string(key.attempt))
      .string();
}

// Makes the attempt's directory, empty. Two mkdirs in the usual case (the trial's,
// then the attempt's); an attempt directory already there (a database started afresh
// beside an old state directory reuses sweep ids) is emptied first.
std::error_code MakeAttemptDir(const std::filesystem::path& dir) {
  std::error_code ec;
  const std::filesystem::path trial = dir.parent_path();
  if (::mkdir(trial.c_str(), 0777) == 0 || errno == EEXIST) {
    if (::mkdir(dir.c_str(), 0777) == 0) return ec;
    if (errno != EEXIST) return std::error_code(errno, std::generic_category());
    std::filesystem::remove_all(dir, ec);
  }
  if (!ec) std::filesystem::create_directories(dir, ec);  // the sweep's directory too
  return ec;
}

absl::StatusOr<SpawnSpec> Launch(const Lease& lease, const CommandEnvironment& env) {
  const CommandSpec& c = *lease.command;
  const std::string dir = AttemptDir(env, lease.key);
  if (const std::error_code ec = MakeAttemptDir(dir))
    return absl::FailedPreconditionError(absl::StrCat("cannot make the trial directory ", dir, ": ", ec.message()));
  const auto values =
      PlaceholderValues(lease.params, lease.key.sweep_id, lease.key.index, lease.key.attempt, lease.seed, dir);
  SpawnSpec spec;
  spec.cwd = env.dir;
  for (const auto& a : c.argv) spec.argv.push_back(Fill(a, values));
  spec.argv[0] = Program(spec.argv[0], env.dir);
  spec.env = InheritedEnvironment();
  for (const auto& [k, v] : c.env) spec.env[k] = v;
  spec.env["HPSEARCH_PARAMS"] = ToJson(lease.params).dump();
  spec.env["HPSEARCH_SWEEP"] = lease.key.sweep_id;
  spec.env["HPSEARCH_TRIAL"] = values.at("trial");
  spec.env["HPSEARCH_ATTEMPT"] = values.at("attempt");
  spec.env["HPSEARCH_SEED"] = values.at("seed");
  spec.env["HPSEARCH_TRIAL_DIR"] = dir;
  spec.env["HPSEARCH_SLOTS"] = std::to_string(c.slots);
  spec.env["HPSEARCH_REPORT_FD"] = "3";
  spec.env["HPSEARCH_REPLY_FD"] = "4";
  if (!env.python_dir.empty()) {
    auto it = spec.env.find("PYTHONPATH");
    spec.env["PYTHONPATH"] =
        it == spec.env.end() || it->second.empty() ? env.python_dir : env.python_dir + ":" + it->second;
  }
  return spec;
}

}  // namespace hpsearch::runtime
