// hpsearch-server as a whole: the store, the scheduler, the embedded slots and the
// gRPC services, started in order and stopped in reverse.
//
//   Server server(config);
//   return server.Run();   // until SIGTERM/SIGINT; the process exit code
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "server/http/http_server.h"
#include "server/metrics/server_metrics.h"
#include "server/scheduler/query.h"
#include "server/scheduler/scheduler.h"
#include "server/scheduler/scheduler_source.h"
#include "server/service/executor.h"
#include "server/service/gate.h"
#include "server/service/server_config.h"
#include "server/service/sweep_service.h"
#include "server/service/token_auth.h"
#include "server/service/worker_service.h"
#include "server/store/store.h"
#include "server/store/trial_logs.h"
#include "worker/data/dataset_loader.h"
#include "worker/runtime/slot_pool.h"

namespace hpsearch::service {

class Server {
 public:
  explicit Server(ServerConfig config);
  ~Server();

  // Runs until SIGTERM or SIGINT arrives; returns the process exit code (0 after a
  // stop, 1 when it cannot start, 2 for bad settings).
  int Run();

  // Run() in two halves, for a server inside another program (the in-process tests):
  // Start returns once it is serving (0) or the exit code it could not start with;
  // Stop, after a successful Start, shuts down as SIGTERM would. Stop returns false
  // when a trial was still inside an epoch when its time ran out: the trial was
  // handed back (it runs again on restart), but its thread runs on until the epoch
  // ends, and destroying the Server waits for it (hpsearch-server exits at once
  // instead: server/main.cc).
  int Start();                        // store, scheduler, slots, gRPC (NOT_SERVING), recovery, SERVING
  bool Stop();                        // NOT_SERVING, drain, slots' grace, gRPC down
  int port() const { return port_; }  // the bound port, once started
  // After Run or Stop: a trial was still inside an epoch when the server stopped.
  bool trial_left_running() const { return trial_left_running_; }

 private:
  absl::Status OpenStore();
  // --commands: where and how the embedded slots run the user's programs; refused
  // without --token on an address beyond loopback.
  absl::Status PrepareCommands();
  void BuildScheduler();
  absl::Status StartGrpc();
  absl::Status StartHttp();
  metrics::Gauges ReadGauges();
  void StartTicker();
  void SetServing(bool serving);

  ServerConfig config_;
  std::chrono::steady_clock::time_point started_;
  metrics::ServerMetrics metrics_;  // outlives everything that feeds it
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::TrialLogs> logs_;  // command trials' output (with --commands); outlives the scheduler
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::unique_ptr<scheduler::Query> query_;
  std::unique_ptr<data::DatasetCache> datasets_;
  std::unique_ptr<scheduler::SchedulerSource> source_;
  std::unique_ptr<runtime::SlotPool> pool_;
  std::unique_ptr<TokenAuth> auth_;
  // Handlers' blocking work runs here, off gRPC's threads. It outlives the gRPC
  // server (declared before it): queued calls still finish.
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Gate> gate_;
  std::unique_ptr<SweepServiceImpl> sweeps_;
  std::unique_ptr<WorkerServiceImpl> workers_;
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<http::HttpApi> http_api_;
  std::unique_ptr<http::HttpServer> http_;
  int port_ = 0;
  int slots_ = 0;
  bool trial_left_running_ = false;
  std::optional<runtime::CommandEnvironment> commands_;
  std::mutex tick_mu_;
  std::condition_variable tick_cv_;
  bool stop_ticking_ = false;
  std::thread ticker_;
};

}  // namespace hpsearch::service
