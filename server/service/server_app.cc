#include "service/server_app.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <condition_variable>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "data/dataset_loader.h"
#include "runtime/slot_pool.h"
#include "scheduler/scheduler_source.h"
#include "scheduler/scheduler.h"
#include "service/executor.h"
#include "service/sweep_service.h"
#include "service/worker_service.h"
#include "store/integrity.h"
#include "store/schema.h"
#include "store/store.h"
#include "service/token_auth.h"
#include "util/address.h"
#include "util/failpoint.h"
#include "util/log.h"

namespace hpsearch::service {

namespace {

// Blocks SIGTERM/SIGINT in every thread started after this, so sigwait sees them.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

std::string ReadPem(const std::string& path, const char* flag, bool* ok) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  *ok = static_cast<bool>(f) && !s.str().empty();
  if (!*ok) log::Error(flag, ": cannot read ", path);
  return s.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(const ServerConfig& c) {
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  }
  if (c.tls_cert.empty()) return grpc::InsecureServerCredentials();
  bool ok_cert = false, ok_key = false;
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({ReadPem(c.tls_key, "--tls-key", &ok_key), ReadPem(c.tls_cert, "--tls-cert", &ok_cert)});
  if (!ok_cert || !ok_key) return absl::InvalidArgumentError("TLS certificate or key unreadable");
  return grpc::SslServerCredentials(ssl);
}

// Linking grpc++_reflection registers its plugin in every ServerBuilder; this option
// takes it out again unless --reflection asked for it.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    std::erase_if(*plugins, [](const auto& p) { return p->name() == "proto_server_reflection"; });
  }
};

void SetServing(grpc::Server& server, bool serving) {
  auto* health = server.GetHealthCheckService();
  if (!health) return;
  health->SetServingStatus(serving);
  health->SetServingStatus("hpsearch.v1.SweepService", serving);
  health->SetServingStatus("hpsearch.v1.WorkerService", serving);
}

}  // namespace

int RunServer(const ServerConfig& c) {
  if (c.log_level == "debug") log::SetMinLevel(log::Level::kDebug);
  if (c.log_level == "warn") log::SetMinLevel(log::Level::kWarn);
  if (c.log_level == "error") log::SetMinLevel(log::Level::kError);
  if (auto st = failpoint::ArmFromEnvironment(); !st.ok()) {
    log::Error(st.message());
    return 2;
  }
  // A file-size limit (or a full disk) must fail the write, not kill the server: the
  // store reports it, callers retry, and nothing is lost.
  signal(SIGXFSZ, SIG_IGN);
  const sigset_t signals = BlockShutdownSignals();
  const auto started = std::chrono::steady_clock::now();

  store::StoreOptions so;
  so.path = c.db;
  so.sync_full = c.sync_full;
  so.exclusive = true;
  auto store = store::Store::Open(so);
  if (!store.ok()) {
    log::Error(store.status().message());
    return 1;
  }
  scheduler::SchedulerOptions sched;
  sched.limits.max_trials = c.max_trials;
  sched.limits.max_network_params = c.max_network_params;
  sched.limits.max_concurrent = c.max_concurrent;
  sched.max_active_sweeps = c.max_active_sweeps;
  sched.lease_ms = static_cast<int64_t>(c.lease_seconds * 1000);
  sched.max_attempts = c.max_attempts;
  sched.data_env = data::DataEnvironment{c.data_dir, c.fashion_mnist_dir};
  // Without embedded slots the files live on the workers' machines.
  sched.require_data_files = c.workers != 0;
  scheduler::Scheduler scheduler(**store, sched);

  data::DatasetCache datasets(data::DataEnvironment{c.data_dir, c.fashion_mnist_dir});
  scheduler::SchedulerSource source(scheduler);
  runtime::PoolOptions po;
  const int slots = c.workers >= 0 ? c.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  po.slots = std::max(1, slots);
  po.memory_limit_bytes = static_cast<std::size_t>(c.memory_limit_mb) << 20;
  po.worker_prefix = sched.embedded_prefix;
  std::unique_ptr<runtime::SlotPool> pool;
  if (slots > 0) pool = std::make_unique<runtime::SlotPool>(source, datasets, po);

  auto creds = ServerCredentials(c);
  if (!creds.ok()) {
    log::Error(creds.status().message());
    return 2;
  }
  TokenAuth auth(c.token);
  // Handlers' blocking work (store reads, the scheduler's lock) runs here, off
  // gRPC's threads. It outlives the server below: queued calls still finish.
  Executor executor(c.rpc_threads, 10'000);
  SweepServiceImpl sweeps(scheduler, **store, auth, executor, c.max_watch_streams);
  WorkerServiceImpl workers(scheduler, auth, executor);
  grpc::EnableDefaultHealthCheckService(true);
  if (c.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  if (!c.reflection) builder.SetOption(std::make_unique<WithoutReflection>());
  int port = 0;
  builder.AddListeningPort(c.listen, *creds, &port);
  builder.RegisterService(&sweeps);
  builder.RegisterService(&workers);
  builder.SetMaxReceiveMessageSize(c.max_message_bytes);
  builder.SetMaxSendMessageSize(c.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, c.max_watch_streams + 64);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
  // The server pings idle connections too, so a client that died, hung or lost its
  // network (a watch stream among them) is dropped within about a minute.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    log::Error("cannot listen on ", c.listen, " (address in use, or not an address?)");
    return 1;
  }
  SetServing(*server, false);
  const std::string host = c.listen.substr(0, c.listen.rfind(':'));
  log::Info("hpsearch-server listening on ", host, ":", port, ", database ", c.db, " (schema v",
            (*store)->schema_version(), "), ", slots, " embedded worker slots, data dir ", c.data_dir,
            auth.enabled() ? ", auth on" : ", auth off", c.tls_cert.empty() ? ", TLS off" : ", TLS on",
            c.reflection ? ", reflection on" : "");
  if (auth.enabled() && c.tls_cert.empty() && !IsLoopback(c.listen)) {
    log::Warn("a token is required but TLS is off: clients send it in plaintext; use --tls-cert/--tls-key");
  }

  if (auto st = scheduler.Recover(); !st.ok()) {
    log::Error("recovery failed: ", st.message());
    server->Shutdown();
    return 1;
  }
  if (pool) pool->Start();
  std::mutex tick_mu;
  std::condition_variable tick_cv;
  bool stop_ticking = false;
  std::thread ticker([&] {
    std::unique_lock lock(tick_mu);
    while (!tick_cv.wait_for(lock, std::chrono::milliseconds(250), [&] { return stop_ticking; })) {
      lock.unlock();
      scheduler.Tick();
      lock.lock();
    }
  });
  SetServing(*server, true);
  if (!c.port_file.empty()) {
    std::ofstream(c.port_file) << port << "\n";
  }
  log::Info("serving (ready in ",
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count(),
            " ms)");

  int sig = 0;
  sigwait(&signals, &sig);
  const auto stopping = std::chrono::steady_clock::now();
  log::Info("received ", sig == SIGTERM ? "SIGTERM" : "SIGINT", ": not serving, no new trials; running trials get ",
            c.shutdown_grace_seconds, "s to finish");
  SetServing(*server, false);
  scheduler.Drain();
  const bool clean =
      !pool || pool->Stop(std::chrono::milliseconds(static_cast<int64_t>(c.shutdown_grace_seconds * 1000)),
                          std::chrono::seconds(2));
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  {
    std::lock_guard lock(tick_mu);
    stop_ticking = true;
  }
  tick_cv.notify_all();
  ticker.join();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - stopping).count();
  if (!clean) scheduler.HandBack(sched.embedded_prefix, "the server is shutting down");
  if (!clean) {
    // A trial is stuck inside a long epoch; it has been handed back, and SQLite's
    // journal makes leaving now safe.
    log::Warn("stopped in ", ms, " ms with a trial still inside an epoch; it will run again on restart");
    std::_Exit(0);
  }
  log::Info("stopped in ", ms, " ms");
  return 0;
}

int CheckDatabase(const std::string& db, std::ostream& out, std::ostream& err) {
  if (!std::filesystem::exists(db)) {
    err << "error: " << db << ": no such file\n";
    return 2;
  }
  try {
    store::Connection conn(db, true, false, 5000);
    const int version = store::SchemaVersion(conn);
    if (version != store::kSchemaVersion) {
      err << "error: " << db << " is at schema v" << version << "; this hpsearch checks v" << store::kSchemaVersion
          << (version < store::kSchemaVersion ? " (start hpsearch-server on it once to migrate it)" : "") << "\n";
      return 2;
    }
    conn.Exec("BEGIN");
    store::ReadTxn read(conn);
    const std::vector<std::string> found = store::CheckIntegrity(read, 1000);
    conn.ResetAll();
    conn.Exec("COMMIT");
    for (const auto& line : found) out << line << "\n";
    if (found.empty()) {
      out << db << ": sound (schema v" << version << ")\n";
      return 0;
    }
    err << db << ": " << found.size() << (found.size() == 1000 ? "+" : "") << " violations\n";
    return 1;
  } catch (const std::exception& e) {
    err << "error: " << db << ": " << e.what() << "\n";
    return 2;
  }
}

}  // namespace hpsearch::service
