// The worker protocol's plain types (common/protocol/) ⇄ hpsearch.v1 messages, for
// the two ends of WorkerService: the server's service and the remote worker.
#pragma once

#include "absl/status/statusor.h"
#include "common/protocol/epoch_report.h"
#include "common/protocol/lease.h"
#include "common/protocol/trial_result.h"
#include "common/protocol/trial_status.h"
#include "hpsearch/v1/trial.pb.h"
#include "hpsearch/v1/worker_service.pb.h"

namespace hpsearch::convert {

hpsearch::v1::LeaseKey ToProto(const LeaseKey& k);
LeaseKey FromProto(const hpsearch::v1::LeaseKey& k);

hpsearch::v1::CommandTrainer ToProto(const CommandSpec& c);
CommandSpec FromProto(const hpsearch::v1::CommandTrainer& c);

hpsearch::v1::Lease ToProto(const Lease& l);
// INVALID_ARGUMENT for parameters that are no setting value.
absl::StatusOr<Lease> FromProto(const hpsearch::v1::Lease& l);

hpsearch::v1::EpochMetrics ToProto(const EpochMetrics& e);
EpochMetrics FromProto(const hpsearch::v1::EpochMetrics& e);
hpsearch::v1::ActivationStats ToProto(const ActivationStats& s);
ActivationStats FromProto(const hpsearch::v1::ActivationStats& s);

hpsearch::v1::ReportProgressRequest ToProto(const EpochReport& r);
EpochReport FromProto(const hpsearch::v1::ReportProgressRequest& r);
hpsearch::v1::ReportProgressResponse ToProto(const ReportReply& r);
ReportReply FromProto(const hpsearch::v1::ReportProgressResponse& r);

hpsearch::v1::CompleteTrialRequest ToProto(const TrialResult& r);
TrialResult FromProto(const hpsearch::v1::CompleteTrialRequest& r);
hpsearch::v1::FailTrialRequest ToProto(const TrialFailure& f);
TrialFailure FromProto(const hpsearch::v1::FailTrialRequest& f);

hpsearch::v1::TrialStatus ToProto(TrialStatus s);
TrialStatus FromProto(hpsearch::v1::TrialStatus s);  // REQUIRES: not UNSPECIFIED
hpsearch::v1::SweepStatus ToProto(SweepStatus s);
SweepStatus FromProto(hpsearch::v1::SweepStatus s);

}  // namespace hpsearch::convert
