#include "scheduler/query.h"

#include "absl/strings/str_cat.h"

namespace hpsearch::scheduler {

absl::StatusOr<store::TrialPage> Query::Trials(const std::string& sweep, const store::TrialQuery& query) {
  auto rec = scheduler_.Resolve(sweep);
  if (!rec.ok()) return rec.status();
  absl::StatusOr<store::TrialPage> page;
  auto st = store_.Read([&](store::ReadTxn& r) {
    page = r.ListTrials(rec->rowid, query);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return page;
}

absl::StatusOr<store::TrialRecord> Query::Trial(const std::string& sweep, int64_t index) {
  auto rec = scheduler_.Resolve(sweep);
  if (!rec.ok()) return rec.status();
  std::optional<store::TrialRecord> trial;
  auto st = store_.Read([&](store::ReadTxn& r) {
    trial = r.GetTrial(rec->rowid, index);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  if (trial) return *std::move(trial);
  const bool unstarted = index >= 0 && index < rec->total_trials;
  return absl::NotFoundError(absl::StrCat("sweep ", rec->id, " has no trial ", index,
                                          unstarted ? " yet (it has not started)" : "",
                                          unstarted ? "" : absl::StrCat(" (it has ", rec->total_trials, " trials)")));
}

absl::StatusOr<std::vector<store::TrialRecord>> Query::Best(const std::string& sweep, int32_t k) {
  auto rec = scheduler_.Resolve(sweep);
  if (!rec.ok()) return rec.status();
  std::vector<store::TrialRecord> best;
  auto st = store_.Read([&](store::ReadTxn& r) {
    best = r.BestTrials(rec->rowid, k);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return best;
}

}  // namespace hpsearch::scheduler
