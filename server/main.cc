// hpsearch-server: the sweep service with its embedded worker slots.
#include <cstdlib>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "common/util/failpoint.h"
#include "server/service/check_db.h"
#include "server/service/server.h"

namespace {

// Flags fall back to HPSEARCH_* environment variables (flag > variable > default).
template <typename T>
CLI::Option* Flag(CLI::App& app, const std::string& name, T& value, const std::string& help, const std::string& env) {
  return app.add_option(name, value, help)->envname(env)->capture_default_str();
}

// Where it serves: the gRPC address, and the HTTP side.
void AddServingFlags(CLI::App& app, hpsearch::service::ServerConfig& c) {
  Flag(app, "--listen", c.listen, "Address to serve on (port 0: any free port)", "HPSEARCH_LISTEN");
  Flag(app, "--port-file", c.port_file, "Write the bound port to this file once serving", "HPSEARCH_PORT_FILE");
  Flag(app, "--http", c.http, "Serve the JSON API (/api/v1/) and /metrics on this host:port (off unless given)",
       "HPSEARCH_HTTP");
  Flag(app, "--http-port-file", c.http_port_file, "Write the HTTP port to this file once serving",
       "HPSEARCH_HTTP_PORT_FILE");
  app.add_option("--http-host", c.http_hosts,
                 "A host name the HTTP side answers to besides IP addresses and localhost (repeatable, or "
                 "comma-separated; without --token other names get 421: DNS rebinding)")
      ->envname("HPSEARCH_HTTP_HOST")
      ->delimiter(',');
  Flag(app, "--http-max-client-connections", c.http_max_client_connections,
       "HTTP connections one client address (an IPv6 /64) may hold at once (raise it behind a proxy)",
       "HPSEARCH_HTTP_MAX_CLIENT_CONNECTIONS")
      ->check(CLI::Range(1, 100000));
}

// The database, the embedded slots and the data they read.
void AddStoreAndSlotFlags(CLI::App& app, hpsearch::service::ServerConfig& c) {
  Flag(app, "--db", c.db, "SQLite database file", "HPSEARCH_DB");
  app.add_flag("--sync-full", c.sync_full, "fsync every commit (survives power loss; slower)")
      ->envname("HPSEARCH_SYNC_FULL");
  Flag(app, "--workers", c.workers, "Embedded trial slots (-1 = one per core; 0 = none, remote workers only)",
       "HPSEARCH_WORKERS")
      ->check(CLI::Range(-1, 4096));
  Flag(app, "--step-threads", c.step_threads,
       "Threads a trial may use when it runs alone (a sweep's tail: idle slots' cores help; 1 = off)",
       "HPSEARCH_STEP_THREADS")
      ->check(CLI::Range(1, 64));
  Flag(app, "--data-dir", c.data_dir, "Directory user CSV datasets are confined to", "HPSEARCH_DATA_DIR");
  Flag(app, "--fashion-mnist-dir", c.fashion_mnist_dir, "Fashion-MNIST IDX files", "HPSEARCH_FASHION_MNIST_DIR");
}

// Bounds on sweeps, messages, leases and trials.
void AddLimitFlags(CLI::App& app, hpsearch::service::ServerConfig& c) {
  Flag(app, "--max-trials", c.max_trials, "Most trials one sweep may have", "HPSEARCH_MAX_TRIALS")
      ->check(CLI::PositiveNumber);
  Flag(app, "--max-network-params", c.max_network_params, "Largest network (parameters) a trial may build",
       "HPSEARCH_MAX_NETWORK_PARAMS")
      ->check(CLI::PositiveNumber);
  Flag(app, "--max-concurrent", c.max_concurrent, "Cap on a spec's parallelism.max_concurrent",
       "HPSEARCH_MAX_CONCURRENT")
      ->check(CLI::PositiveNumber);
  Flag(app, "--max-active-sweeps", c.max_active_sweeps, "Unfinished sweeps at once", "HPSEARCH_MAX_ACTIVE_SWEEPS")
      ->check(CLI::PositiveNumber);
  Flag(app, "--max-message-bytes", c.max_message_bytes, "Largest gRPC message in either direction",
       "HPSEARCH_MAX_MESSAGE_BYTES")
      ->check(CLI::Range(1024, 1 << 30));
  Flag(app, "--max-watch-streams", c.max_watch_streams, "WatchSweep streams open at once", "HPSEARCH_MAX_WATCH_STREAMS")
      ->check(CLI::PositiveNumber);
  Flag(app, "--lease-seconds", c.lease_seconds, "A trial's lease lasts this long past its last report",
       "HPSEARCH_LEASE_SECONDS")
      ->check(CLI::Range(0.1, 86400.0));
  Flag(app, "--max-attempts", c.max_attempts, "Lost leases before a trial fails", "HPSEARCH_MAX_ATTEMPTS")
      ->check(CLI::PositiveNumber);
  Flag(app, "--memory-limit-mb", c.memory_limit_mb, "Estimated memory one trial may use", "HPSEARCH_MEMORY_LIMIT_MB")
      ->check(CLI::PositiveNumber);
  Flag(app, "--shutdown-grace", c.shutdown_grace_seconds, "Seconds running trials get to finish on SIGTERM",
       "HPSEARCH_SHUTDOWN_GRACE")
      ->check(CLI::Range(0.0, 60.0));
}

// Authorization, TLS, logging, rpc threads and command trials.
void AddSecurityAndOperationFlags(CLI::App& app, hpsearch::service::ServerConfig& c) {
  app.add_flag("--reflection", c.reflection, "Enable gRPC server reflection")->envname("HPSEARCH_REFLECTION");
  app.add_option("--token", c.token, "Require authorization: Bearer <token> on every rpc but health")
      ->envname("HPSEARCH_TOKEN");
  app.add_option("--tls-cert", c.tls_cert, "Serve TLS with this certificate chain (PEM)")->envname("HPSEARCH_TLS_CERT");
  app.add_option("--tls-key", c.tls_key, "The certificate's private key (PEM)")->envname("HPSEARCH_TLS_KEY");
  Flag(app, "--log-level", c.log_level, "debug, info, warn or error", "HPSEARCH_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  Flag(app, "--rpc-threads", c.rpc_threads, "Threads that run rpc handlers' store and scheduler work",
       "HPSEARCH_RPC_THREADS")
      ->check(CLI::Range(1, 256));
  Flag(app, "--commands", c.commands,
       "Run command trials (the user's own programs, trainer.command) from this directory; code execution by "
       "whoever may submit (docs/operations.md)",
       "HPSEARCH_COMMANDS");
  Flag(app, "--state-dir", c.state_dir, "Where command trials' attempt directories live (default: <db>.trials)",
       "HPSEARCH_STATE_DIR");
}

}  // namespace

int main(int argc, char** argv) {
  hpsearch::service::ServerConfig c;
  CLI::App app{"hpsearch-server: hyperparameter search service (gRPC) with embedded workers"};
  app.footer("Example:\n  hpsearch-server --listen 127.0.0.1:50051 --db ./hpsearch.db --workers 2");
  AddServingFlags(app, c);
  AddStoreAndSlotFlags(app, c);
  AddLimitFlags(app, c);
  AddSecurityAndOperationFlags(app, c);
  bool list_failpoints = false;
  app.add_flag("--list-failpoints", list_failpoints,
               "Print every fail point (for HPSEARCH_FAILPOINTS=name[@n],...) and exit");
  bool check_db = false;
  app.add_flag("--check-db", check_db, "Check the --db file's integrity (read-only; exit 1 on a violation) and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (list_failpoints) {
    for (std::string_view name : hpsearch::failpoint::Names()) std::cout << name << "\n";
    return 0;
  }
  if (check_db) return hpsearch::service::CheckDatabase(c.db, std::cout, std::cerr);
  hpsearch::service::Server server(c);
  const int code = server.Run();
  // A trial was still inside a long epoch when the shutdown's time ran out: it was
  // handed back (it runs again on restart), but its thread runs on, and destroying
  // the server would wait for it. Leave now instead (SQLite's journal makes leaving
  // at any point safe).
  if (server.trial_left_running()) std::_Exit(code);
  return code;
}
