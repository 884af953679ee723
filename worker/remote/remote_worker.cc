#include "worker/remote/remote_worker.h"

#include <signal.h>
#include <unistd.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/util/address.h"
#include "common/util/failpoint.h"
#include "common/util/log.h"
#include "worker/runtime/slot_pool.h"

namespace hpsearch::remote {

int RunRemoteWorker(const RemoteWorkerConfig& c) {
  if (auto st = failpoint::ArmFromEnvironment(); !st.ok()) {
    log::Error(st.message());
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::string id = c.id;
  if (id.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    id = absl::StrCat(host, "-", getpid());
  }
  if (!c.remote.token.empty() && c.remote.tls_ca.empty() && !IsLoopback(c.remote.server)) {
    log::Warn("the token is sent in plaintext to ", c.remote.server, "; use --tls-ca for a TLS connection");
  }
  auto channel = MakeChannel(c.remote);
  if (!channel.ok()) {
    log::Error(channel.status().message());
    return 2;
  }
  GrpcTrialSource source(*channel, c.remote);
  data::DatasetCache datasets(data::DataEnvironment{c.data_dir, c.fashion_mnist_dir});
  runtime::PoolOptions po;
  po.slots = c.slots > 0 ? c.slots : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  po.memory_limit_bytes = static_cast<std::size_t>(c.memory_limit_mb) << 20;
  po.worker_prefix = id + "/";
  po.max_step_threads = c.step_threads;
  if (!c.commands.empty()) {
    auto env = runtime::FindCommandEnvironment(c.commands, c.state_dir);
    if (!env.ok()) {
      log::Error(env.status().message());
      return 2;
    }
    po.commands = *std::move(env);
    log::Info("running command trials from ", po.commands->dir, " (attempt directories in ", po.commands->state_dir,
              ")");
  }
  runtime::SlotPool pool(source, datasets, po);
  log::Info("hpsearch-worker ", id, ": ", po.slots, " slots, server ", c.remote.server,
            c.remote.tls_ca.empty() ? ", TLS off" : ", TLS on", c.remote.token.empty() ? ", no token" : ", token set");
  pool.Start();

  int sig = 0;
  sigwait(&signals, &sig);
  log::Info("received ", sig == SIGTERM ? "SIGTERM" : "SIGINT", ": no new trials; running trials get ", c.grace_seconds,
            "s to finish, then go back to the server");
  const bool clean =
      pool.Stop(std::chrono::milliseconds(static_cast<int64_t>(c.grace_seconds * 1000)), std::chrono::seconds(5));
  if (!clean) {
    log::Warn("a trial was still inside an epoch; its lease will expire on the server");
    std::_Exit(0);
  }
  log::Info("stopped");
  return 0;
}

}  // namespace hpsearch::remote
