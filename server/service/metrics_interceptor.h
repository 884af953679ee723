// Counts every finished rpc by method and status code for /metrics
// (hpsearch_grpc_requests_total): a gRPC server interceptor, so no handler can be
// missed, health checks and streams included.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include "server/metrics/server_metrics.h"

namespace hpsearch::service {

class MetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(metrics::ServerMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  metrics::ServerMetrics& metrics_;
};

// "NOT_FOUND" for grpc::StatusCode::NOT_FOUND (the names of grpc/status.h).
const char* CodeName(grpc::StatusCode code);

}  // namespace hpsearch::service
