// hpsearch.v1.SweepService on gRPC's callback API: each unary handler converts the
// request, reads or acts through the scheduler's Query and Scheduler on the Gate's
// executor, and converts back; WatchSweep streams through a WatchStream reactor, so
// no stream ever holds a thread.
#pragma once

#include <atomic>
#include <cstddef>

#include "hpsearch/v1/sweep_service.grpc.pb.h"
#include "server/scheduler/query.h"
#include "server/scheduler/scheduler.h"
#include "server/service/gate.h"

namespace hpsearch::service {

class SweepServiceImpl final : public hpsearch::v1::SweepService::CallbackService {
 public:
  // max_watch_streams: WatchSweep streams open at once, server-wide
  // (RESOURCE_EXHAUSTED beyond); watch_queue: events a slow stream may fall behind.
  SweepServiceImpl(scheduler::Scheduler& scheduler, scheduler::Query& query, Gate& gate, int max_watch_streams = 1000,
                   std::size_t watch_queue = 1024)
      : scheduler_(scheduler),
        query_(query),
        gate_(gate),
        max_watch_streams_(max_watch_streams),
        watch_queue_(watch_queue) {}

  // Streams open now.
  int open_streams() const { return open_streams_.load(); }

  // What GetServerInfo answers (set once, before serving).
  struct Info {
    std::string version;
    int schema_version = 0;
    int embedded_slots = 0;
  };
  void SetInfo(Info info) { info_ = std::move(info); }

  grpc::ServerUnaryReactor* SubmitSweep(grpc::CallbackServerContext* ctx, const hpsearch::v1::SubmitSweepRequest* req,
                                        hpsearch::v1::Sweep* resp) override;
  grpc::ServerUnaryReactor* GetSweep(grpc::CallbackServerContext* ctx, const hpsearch::v1::GetSweepRequest* req,
                                     hpsearch::v1::Sweep* resp) override;
  grpc::ServerUnaryReactor* ListSweeps(grpc::CallbackServerContext* ctx, const hpsearch::v1::ListSweepsRequest* req,
                                       hpsearch::v1::ListSweepsResponse* resp) override;
  grpc::ServerUnaryReactor* CancelSweep(grpc::CallbackServerContext* ctx, const hpsearch::v1::CancelSweepRequest* req,
                                        hpsearch::v1::Sweep* resp) override;
  grpc::ServerUnaryReactor* ExtendSweep(grpc::CallbackServerContext* ctx, const hpsearch::v1::ExtendSweepRequest* req,
                                        hpsearch::v1::Sweep* resp) override;
  grpc::ServerUnaryReactor* RetryTrials(grpc::CallbackServerContext* ctx, const hpsearch::v1::RetryTrialsRequest* req,
                                        hpsearch::v1::RetryTrialsResponse* resp) override;
  grpc::ServerUnaryReactor* DeleteSweep(grpc::CallbackServerContext* ctx, const hpsearch::v1::DeleteSweepRequest* req,
                                        hpsearch::v1::Sweep* resp) override;
  grpc::ServerUnaryReactor* ListTrials(grpc::CallbackServerContext* ctx, const hpsearch::v1::ListTrialsRequest* req,
                                       hpsearch::v1::ListTrialsResponse* resp) override;
  grpc::ServerUnaryReactor* GetTrial(grpc::CallbackServerContext* ctx, const hpsearch::v1::GetTrialRequest* req,
                                     hpsearch::v1::Trial* resp) override;
  grpc::ServerUnaryReactor* GetImportance(grpc::CallbackServerContext* ctx,
                                          const hpsearch::v1::GetImportanceRequest* req,
                                          hpsearch::v1::Importance* resp) override;
  grpc::ServerUnaryReactor* GetTrialLog(grpc::CallbackServerContext* ctx, const hpsearch::v1::GetTrialLogRequest* req,
                                        hpsearch::v1::TrialLog* resp) override;
  grpc::ServerUnaryReactor* GetBestTrials(grpc::CallbackServerContext* ctx,
                                          const hpsearch::v1::GetBestTrialsRequest* req,
                                          hpsearch::v1::GetBestTrialsResponse* resp) override;
  grpc::ServerUnaryReactor* GetServerInfo(grpc::CallbackServerContext* ctx,
                                          const hpsearch::v1::GetServerInfoRequest* req,
                                          hpsearch::v1::ServerInfo* resp) override;
  grpc::ServerUnaryReactor* AskTrial(grpc::CallbackServerContext* ctx, const hpsearch::v1::AskTrialRequest* req,
                                     hpsearch::v1::AskTrialResponse* resp) override;
  grpc::ServerUnaryReactor* ListWorkers(grpc::CallbackServerContext* ctx, const hpsearch::v1::ListWorkersRequest* req,
                                        hpsearch::v1::ListWorkersResponse* resp) override;
  grpc::ServerWriteReactor<hpsearch::v1::SweepEvent>* WatchSweep(grpc::CallbackServerContext* ctx,
                                                                 const hpsearch::v1::WatchSweepRequest* req) override;

 private:
  Info info_;
  scheduler::Scheduler& scheduler_;
  scheduler::Query& query_;
  Gate& gate_;
  int max_watch_streams_;
  std::size_t watch_queue_;
  std::atomic<int> open_streams_{0};
};

}  // namespace hpsearch::service
