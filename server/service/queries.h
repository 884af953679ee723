// The read queries of hpsearch.v1.SweepService as plain functions over the
// scheduler's Query: request message in, response message out. The gRPC handlers and
// the HTTP JSON API (/api/v1/) both call these, so the two can never disagree.
#pragma once

#include "absl/status/status.h"
#include "hpsearch/v1/sweep_service.pb.h"
#include "server/scheduler/query.h"

namespace hpsearch::service {

absl::Status GetSweep(scheduler::Query& q, const hpsearch::v1::GetSweepRequest& req, hpsearch::v1::Sweep* resp);
absl::Status ListSweeps(scheduler::Query& q, const hpsearch::v1::ListSweepsRequest& req,
                        hpsearch::v1::ListSweepsResponse* resp);
absl::Status ListTrials(scheduler::Query& q, const hpsearch::v1::ListTrialsRequest& req,
                        hpsearch::v1::ListTrialsResponse* resp);
absl::Status GetTrial(scheduler::Query& q, const hpsearch::v1::GetTrialRequest& req, hpsearch::v1::Trial* resp);
absl::Status GetImportance(scheduler::Query& q, const hpsearch::v1::GetImportanceRequest& req,
                           hpsearch::v1::Importance* resp);
absl::Status GetTrialLog(scheduler::Query& q, const hpsearch::v1::GetTrialLogRequest& req,
                         hpsearch::v1::TrialLog* resp);
absl::Status GetBestTrials(scheduler::Query& q, const hpsearch::v1::GetBestTrialsRequest& req,
                           hpsearch::v1::GetBestTrialsResponse* resp);
absl::Status ListWorkers(scheduler::Query& q, const hpsearch::v1::ListWorkersRequest& req,
                         hpsearch::v1::ListWorkersResponse* resp);

}  // namespace hpsearch::service
