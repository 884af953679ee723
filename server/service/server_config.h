// Every setting of hpsearch-server (docs/operations.md lists the flags).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hpsearch::service {

struct ServerConfig {
  std::string listen = "127.0.0.1:50051";  // port 0: pick a free one
  std::string port_file;                   // write the bound port here once serving
  std::string db = "hpsearch.db";
  bool sync_full = false;
  int workers = -1;  // embedded slots; -1 = one per core, 0 = none (remote workers only)
  // Threads a trial may use while it runs alone on the embedded slots (1: never more
  // than its own; runtime::PoolOptions::max_step_threads).
  int step_threads = 2;
  std::string data_dir = ".";
  std::string fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";
  int64_t max_trials = 100'000;  // per sweep
  int64_t max_network_params = 50'000'000;
  int32_t max_concurrent = 1024;  // cap on a spec's parallelism.max_concurrent
  int32_t max_active_sweeps = 100;
  int32_t max_message_bytes = 4 << 20;
  int32_t max_watch_streams = 1000;
  int32_t rpc_threads = 4;  // threads that run rpc handlers' blocking work
  double lease_seconds = 30;
  int32_t max_attempts = 3;
  int64_t memory_limit_mb = 2048;     // per trial
  double shutdown_grace_seconds = 6;  // running trials may finish within this
  bool reflection = false;
  std::string token;     // required from every client when set (never logged)
  std::string tls_cert;  // PEM certificate chain; with tls_key: serve TLS only
  std::string tls_key;
  std::string http;            // host:port of the HTTP API and /metrics ("" = off; port 0: any free one)
  std::string http_port_file;  // write its bound port here once serving
  // Host names the HTTP side answers to besides IP literals and localhost (any name
  // when a token is set): the DNS-rebinding guard (http/host_rule.h).
  std::vector<std::string> http_hosts;
  int32_t http_max_client_connections = 64;  // HTTP connections one client address may hold
  std::string log_level = "info";
  // Run command trials (the user's own programs, trainer.command) from this
  // directory; "" = refuse command sweeps. Code execution by whoever may submit:
  // docs/operations.md, "Your own code".
  std::string commands;
  // Where command trials' attempt directories live ("" = `<db>.trials`).
  std::string state_dir;
};

}  // namespace hpsearch::service
