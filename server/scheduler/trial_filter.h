// What a trial listing's sort key and conditions (`where`) name in one sweep, and
// the conditions' text form: "<key><op><value>", e.g. "lr<=0.01",
// "optimizer=adam,sgd", "hidden=[256,128]", "objective>0.85", "val_loss<0.4".
// key: a parameter (searched or fixed), "objective", or a metric trials report
// (train_/val_/test_ of the dataset's task); op: = != < <= > >=; for = and != the
// value may be a comma-separated list (any of / none of; commas inside [...] belong
// to a list value). Numbers compare by value, true/false as 1/0, anything else as text.
#pragma once

#include <cstddef>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "search/spec.h"
#include "server/store/store.h"

namespace hpsearch::scheduler {

struct ListingKeys {
  std::vector<std::string> params;   // searched, then fixed
  std::vector<std::string> metrics;  // train_*, val_*, test_*
  static ListingKeys Of(const search::Spec& spec);
  bool IsParam(const std::string& key) const;
  bool IsMetric(const std::string& key) const;
  // "index", "objective", the parameters, the metrics: for a did-you-mean.
  std::vector<std::string> All() const;
};

// The longest condition text accepted (a listing takes at most
// store::kMaxTrialConditions conditions, each with at most store::kMaxConditionValues
// values).
inline constexpr std::size_t kMaxConditionLength = 1000;

// INVALID_ARGUMENT naming the condition (quoted, at most 80 characters of it) and
// what is wrong with it (with a did-you-mean for an unknown key).
absl::StatusOr<store::TrialCondition> ParseCondition(absl::string_view text, const ListingKeys& keys);

}  // namespace hpsearch::scheduler
