// What a trial listing's sort key and conditions (`where`) name in one sweep, and
// the conditions' text form: "<key><op><value>", e.g. "lr<=0.01",
// "optimizer=adam,sgd", "hidden=[256,128]", "objective>0.85", "val_loss<0.4".
// key: a parameter (searched or fixed), "objective", or a metric trials report
// (ListingKeys); op: = != < <= > >=; for = and != the
// value may be a comma-separated list (any of / none of; commas inside [...] belong
// to a list value). Numbers compare by value, true/false as 1/0, anything else as text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "search/spec.h"
#include "server/store/store.h"

namespace hpsearch::scheduler {

// The most metric names a listing reads of what a sweep's trials reported
// (store::ReadTxn::MetricNames) to know its keys.
inline constexpr int32_t kMaxListedMetrics = 1000;

// The keys of one sweep's listings. The built-in trainer's metrics are known from the
// dataset's task (train_/val_/test_ ...). A command's or an external loop's are
// whatever its trials report, under any names: for such a sweep the metrics are its
// objectives' and the names its trials have reported so far, never the built-in
// trainer's (which it does not have).
struct ListingKeys {
  std::vector<std::string> params;  // searched, then fixed
  // Built-in: train_*, val_*, test_* (then anything else reported); otherwise the
  // objectives', then the rest reported, by name.
  std::vector<std::string> metrics;
  // The sweep's own trainer has reported no metric yet: an unknown key's error says
  // so, since the metrics it lists are then only the objectives.
  bool none_reported = false;
  // Its trials reported more names than were read (kMaxListedMetrics): any other
  // well-formed metric name may be one of them, so it is taken as a metric (a trial
  // without it sorts after those with it and meets no condition on it).
  bool more_reported = false;

  // `reported`: the names the sweep's trials reported (ReadTxn::MetricNames);
  // `more`: there are more than these.
  static ListingKeys Of(const search::Spec& spec, const std::vector<std::string>& reported = {}, bool more = false);
  bool IsParam(const std::string& key) const;
  bool IsMetric(const std::string& key) const;
  // "index", "objective", the parameters, the metrics: for a did-you-mean.
  std::vector<std::string> All() const;
  // "unknown key 'KEY'[ (did you mean 'K'?)]; one of CANDIDATES" (the first 50),
  // adding " (no trial has reported a metric yet)" when none has.
  std::string Unknown(const std::string& key, const std::vector<std::string>& candidates) const;
};

// The longest condition text accepted (a listing takes at most
// store::kMaxTrialConditions conditions, each with at most store::kMaxConditionValues
// values).
inline constexpr std::size_t kMaxConditionLength = 1000;

// INVALID_ARGUMENT naming the condition (quoted, at most 80 characters of it) and
// what is wrong with it (with a did-you-mean for an unknown key).
absl::StatusOr<store::TrialCondition> ParseCondition(absl::string_view text, const ListingKeys& keys);

}  // namespace hpsearch::scheduler
