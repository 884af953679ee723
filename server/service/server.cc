#include "server/service/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/csv/csv_dataset_check.h"
#include "common/protocol/worker_id.h"
#include "common/util/address.h"
#include "common/util/failpoint.h"
#include "common/util/log.h"
#include "proto/convert/spec_convert.h"
#include "server/service/convert.h"
#include "server/service/metrics_interceptor.h"

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
  ssl.pem_key_cert_pairs.push_back(
      {ReadPem(c.tls_key, "--tls-key", &ok_key), ReadPem(c.tls_cert, "--tls-cert", &ok_cert)});
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

// Where a submitted dataset must be found: CSV paths inside the data directory, the
// file read and checked as the loader will (its task inferred now). Without embedded
// slots the files live on the workers' machines, so a missing file is not an error (a
// path that leaves the directory always is), and one that is here is still checked.
absl::StatusOr<vocabulary::DatasetOptions> CheckDataset(const vocabulary::DatasetOptions& d,
                                                        const data::DataEnvironment& env, bool require_files) {
  if (d.path.empty()) return d;
  auto path = data::ResolveDataPath(d.path, env);
  if (!path.ok()) {
    if (path.status().code() == absl::StatusCode::kNotFound && !require_files) return d;
    if (path.status().code() == absl::StatusCode::kNotFound) {
      return absl::NotFoundError(absl::StrCat(path.status().message(), " in the server's data directory (--data-dir)"));
    }
    return path.status();
  }
  auto checked = csv::CheckCsvDataset(d, *path);
  if (!checked.ok()) return checked.status();
  return checked->dataset;
}

}  // namespace

Server::Server(ServerConfig config) : config_(std::move(config)) {}

Server::~Server() {
  if (ticker_.joinable()) {
    {
      std::lock_guard lock(tick_mu_);
      stop_ticking_ = true;
    }
    tick_cv_.notify_all();
    ticker_.join();
  }
}

int Server::Run() {
  const ServerConfig& c = config_;
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
  if (int code = Start(); code != 0) return code;
  int sig = 0;
  sigwait(&signals, &sig);
  log::Info("received ", sig == SIGTERM ? "SIGTERM" : "SIGINT", ": not serving, no new trials; running trials get ",
            c.shutdown_grace_seconds, "s to finish");
  Stop();
  return 0;
}

absl::Status Server::OpenStore() {
  store::StoreOptions so;
  so.path = config_.db;
  so.sync_full = config_.sync_full;
  so.exclusive = true;
  so.verify_pages = true;
  auto store = store::Store::Open(so);
  if (!store.ok()) return store.status();
  store_ = *std::move(store);
  return absl::OkStatus();
}

absl::Status Server::PrepareCommands() {
  const ServerConfig& c = config_;
  if (c.commands.empty()) return absl::OkStatus();
  if (c.token.empty() && !IsLoopback(c.listen)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--commands runs programs for whoever can submit a sweep: with --listen ", c.listen,
                     " beyond loopback it needs --token (docs/operations.md, \"Your own code\")"));
  }
  auto env = runtime::FindCommandEnvironment(c.commands, c.state_dir.empty() ? c.db + ".trials" : c.state_dir);
  if (!env.ok()) return env.status();
  commands_ = *std::move(env);
  log::Info("running command trials from ", commands_->dir, " (attempt directories in ", commands_->state_dir, ")");
  return absl::OkStatus();
}

void Server::BuildScheduler() {
  const ServerConfig& c = config_;
  scheduler::SchedulerOptions o;
  o.limits.max_trials = c.max_trials;
  o.limits.max_network_params = c.max_network_params;
  o.limits.max_concurrent = c.max_concurrent;
  o.max_active_sweeps = c.max_active_sweeps;
  o.lease_ms = static_cast<int64_t>(c.lease_seconds * 1000);
  o.max_attempts = c.max_attempts;
  o.decode_spec = DecodeSpec;
  const data::DataEnvironment env{c.data_dir, c.fashion_mnist_dir};
  const bool require_files = c.workers != 0;
  o.check_dataset = [env, require_files](const vocabulary::DatasetOptions& d) {
    return CheckDataset(d, env, require_files);
  };
  o.encode_spec = [](const search::Spec& spec) { return EncodeSpec(convert::ToProto(spec)); };
  o.metrics = &metrics_;
  o.accepts_commands = commands_.has_value();
  if (commands_ && c.workers != 0) {
    // Its own slots run command trials: a program they cannot find is refused at
    // submission, not failed trial by trial. (With --workers 0 its directory may be
    // empty: the code is on the remote workers.)
    o.check_program = [env = *commands_](const CommandSpec& command) { return runtime::CheckProgram(command, env); };
  }
  if (commands_) {
    logs_ = std::make_unique<store::TrialLogs>(commands_->state_dir);
    o.on_output = [logs = logs_.get()](const LeaseKey& key, const std::vector<OutputChunk>& output) {
      logs->Append(key, output);
    };
    o.on_deleted = [dir = commands_->state_dir](const std::string& id) {
      std::error_code ec;
      std::filesystem::remove_all(std::filesystem::path(dir) / id, ec);
    };
  }
  scheduler_ = std::make_unique<scheduler::Scheduler>(*store_, o);
  query_ = std::make_unique<scheduler::Query>(*scheduler_, *store_, logs_.get());
  datasets_ = std::make_unique<data::DatasetCache>(env);
  source_ = std::make_unique<scheduler::SchedulerSource>(*scheduler_);
  slots_ = c.workers >= 0 ? c.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (slots_ > 0) {
    runtime::PoolOptions po;
    po.slots = slots_;
    po.memory_limit_bytes = static_cast<std::size_t>(c.memory_limit_mb) << 20;
    po.worker_prefix = o.embedded_prefix;
    po.max_step_threads = c.step_threads;
    po.commands = commands_;
    pool_ = std::make_unique<runtime::SlotPool>(*source_, *datasets_, po);
  }
}

absl::Status Server::StartGrpc() {
  const ServerConfig& c = config_;
  auto creds = ServerCredentials(c);
  if (!creds.ok()) return creds.status();
  auth_ = std::make_unique<TokenAuth>(c.token);
  executor_ = std::make_unique<Executor>(c.rpc_threads, 10'000);
  gate_ = std::make_unique<Gate>(*auth_, *executor_);
  sweeps_ = std::make_unique<SweepServiceImpl>(*scheduler_, *query_, *gate_, c.max_watch_streams);
  sweeps_->SetInfo({HPSEARCH_VERSION, store_->schema_version(), slots_});
  workers_ = std::make_unique<WorkerServiceImpl>(*scheduler_, *gate_);
  grpc::EnableDefaultHealthCheckService(true);
  if (c.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  if (!c.reflection) builder.SetOption(std::make_unique<WithoutReflection>());
  builder.AddListeningPort(c.listen, *creds, &port_);
  builder.RegisterService(sweeps_.get());
  builder.RegisterService(workers_.get());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>(metrics_));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.SetMaxReceiveMessageSize(c.max_message_bytes);
  builder.SetMaxSendMessageSize(c.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, c.max_watch_streams + 64);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
  // The server pings idle connections too, so a client that died, hung or lost its
  // network (a watch stream among them) is dropped within about a minute.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
  grpc_ = builder.BuildAndStart();
  if (!grpc_ || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", c.listen, " (address in use, or not an address?)"));
  }
  SetServing(false);
  const std::string host = SplitHostPort(c.listen).host;
  log::Info("hpsearch-server listening on ", host, ":", port_, ", database ", c.db, " (schema v",
            store_->schema_version(), "), ", slots_, " embedded worker slots, data dir ", c.data_dir,
            auth_->enabled() ? ", auth on" : ", auth off", c.tls_cert.empty() ? ", TLS off" : ", TLS on",
            c.reflection ? ", reflection on" : "");
  if (auth_->enabled() && c.tls_cert.empty() && !IsLoopback(c.listen)) {
    log::Warn("a token is required but TLS is off: clients send it in plaintext; use --tls-cert/--tls-key");
  }
  return absl::OkStatus();
}

metrics::Gauges Server::ReadGauges() {
  metrics::Gauges g;
  const scheduler::Scheduler::Load load = scheduler_->CurrentLoad();
  g.trials_running = load.running;
  g.trials_pending = load.pending;
  for (SweepStatus s : {SweepStatus::kRunning, SweepStatus::kStopping, SweepStatus::kCompleted, SweepStatus::kFailed,
                        SweepStatus::kCancelled}) {
    g.sweeps[Name(s)] = 0;
  }
  (void)store_->Read([&](store::ReadTxn& r) {
    for (const auto& [status, n] : r.CountSweepsByStatus()) g.sweeps[Name(status)] = n;
    return absl::OkStatus();
  });
  g.workers_connected = static_cast<int64_t>(scheduler_->Workers().size());
  g.watch_streams = (sweeps_ ? sweeps_->open_streams() : 0) + (http_ ? http_->open_streams() : 0);
  return g;
}

absl::Status Server::StartHttp() {
  const ServerConfig& c = config_;
  if (c.http.empty()) return absl::OkStatus();
  http::HttpApiOptions options;
  options.hosts = c.http_hosts;
  http_api_ = std::make_unique<http::HttpApi>(
      *query_, c.token, metrics_, [this] { return ReadGauges(); }, options);
  http::HttpLimits limits;
  limits.max_client_connections = c.http_max_client_connections;
  http_ = std::make_unique<http::HttpServer>(*http_api_, limits);
  if (auto st = http_->Start(c.http, c.tls_cert, c.tls_key); !st.ok()) return st;
  const std::string host = SplitHostPort(c.http).host;
  log::Info("HTTP API and /metrics on ", c.tls_cert.empty() ? "http://" : "https://", host.empty() ? "0.0.0.0" : host,
            ":", http_->port(), "/", auth_->enabled() ? " (token required)" : "");
  return absl::OkStatus();
}

void Server::StartTicker() {
  ticker_ = std::thread([this] {
    std::unique_lock lock(tick_mu_);
    while (!tick_cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stop_ticking_; })) {
      lock.unlock();
      scheduler_->Tick();
      lock.lock();
    }
  });
}

int Server::Start() {
  started_ = std::chrono::steady_clock::now();
  if (auto st = PrepareCommands(); !st.ok()) {
    log::Error(st.message());
    return 2;
  }
  if (auto st = OpenStore(); !st.ok()) {
    log::Error(st.message());
    return 1;
  }
  BuildScheduler();
  if (auto st = StartGrpc(); !st.ok()) {
    log::Error(st.message());
    return st.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (auto st = scheduler_->Recover(); !st.ok()) {
    log::Error("recovery failed: ", st.message());
    grpc_->Shutdown();
    return 1;
  }
  if (auto st = StartHttp(); !st.ok()) {
    log::Error(st.message());
    grpc_->Shutdown();
    return st.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (pool_) pool_->Start();
  StartTicker();
  SetServing(true);
  if (!config_.port_file.empty()) std::ofstream(config_.port_file) << port_ << "\n";
  if (http_ && !config_.http_port_file.empty()) std::ofstream(config_.http_port_file) << http_->port() << "\n";
  log::Info("serving (ready in ",
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_).count(),
            " ms)");
  return 0;
}

bool Server::Stop() {
  const auto stopping = std::chrono::steady_clock::now();
  SetServing(false);
  scheduler_->Drain();
  const bool clean =
      !pool_ || pool_->Stop(std::chrono::milliseconds(static_cast<int64_t>(config_.shutdown_grace_seconds * 1000)),
                            std::chrono::seconds(2));
  if (http_) http_->Stop();
  grpc_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  {
    std::lock_guard lock(tick_mu_);
    stop_ticking_ = true;
  }
  tick_cv_.notify_all();
  ticker_.join();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - stopping).count();
  if (!clean) {
    // A trial is stuck inside a long epoch: hand it back, so it runs again on
    // restart; its thread runs on (the caller decides whether to wait for it).
    scheduler_->HandBack(kEmbeddedWorkerPrefix, "the server is shutting down");
    log::Warn("stopped in ", ms, " ms with a trial still inside an epoch; it will run again on restart");
    trial_left_running_ = true;
    return false;
  }
  log::Info("stopped in ", ms, " ms");
  return true;
}

void Server::SetServing(bool serving) {
  auto* health = grpc_ ? grpc_->GetHealthCheckService() : nullptr;
  if (!health) return;
  health->SetServingStatus(serving);
  health->SetServingStatus("hpsearch.v1.SweepService", serving);
  health->SetServingStatus("hpsearch.v1.WorkerService", serving);
}

}  // namespace hpsearch::service
