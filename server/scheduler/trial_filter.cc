#include "server/scheduler/trial_filter.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/protocol/report_checks.h"
#include "common/util/did_you_mean.h"
#include "common/util/printable.h"
#include "common/vocabulary/metrics.h"
#include "search/objectives.h"

namespace hpsearch::scheduler {

namespace {

// A key is a name: a reported metric may have dots in it (val.loss).
bool KeyChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.'; }

// "a, b ,[1, 2]" → "a", "b", "[1,2]": split at top-level commas; spaces trimmed, and
// removed inside a list so it reads as the compact JSON a list parameter is stored as.
std::vector<std::string> SplitValues(absl::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : text) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(std::string(absl::StripAsciiWhitespace(cur)));
      cur.clear();
      continue;
    }
    if (depth > 0 && absl::ascii_isspace(static_cast<unsigned char>(c))) continue;
    cur += c;
  }
  out.push_back(std::string(absl::StripAsciiWhitespace(cur)));
  return out;
}

std::variant<double, std::string> ValueOf(const std::string& text) {
  if (text == "true") return 1.0;
  if (text == "false") return 0.0;
  double d = 0;
  if (absl::SimpleAtod(text, &d) && std::isfinite(d)) return d;
  // Quoted text is the text inside.
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') && text.back() == text.front()) {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

}  // namespace

ListingKeys ListingKeys::Of(const search::Spec& spec, const std::vector<std::string>& reported, bool more) {
  ListingKeys k;
  for (const auto& p : spec.parameters) k.params.push_back(p.name);
  for (const auto& [name, v] : spec.fixed) k.params.push_back(name);
  std::set<std::string> seen;
  const auto add = [&](const std::string& name) {
    if (!name.empty() && seen.insert(name).second) k.metrics.push_back(name);
  };
  if (spec.trainer.builtin()) {
    const vocabulary::Task task = vocabulary::TaskOf(spec.dataset);
    for (const char* split : {"train_", "val_", "test_"}) {
      for (const auto& m : vocabulary::MetricNames(task, split)) add(m);
    }
  } else {
    // The objectives are named before any trial reports them. parameter_count and
    // seconds are not metrics (search/objectives.h): no trial reports them, so a
    // listing by them would just be by index.
    for (const auto& o : search::ResolvedObjectives(spec)) {
      if (o.metric != search::kParameterCountObjective && o.metric != search::kSecondsObjective) add(o.metric);
    }
    k.none_reported = reported.empty() && !more;
  }
  for (const auto& name : reported) add(name);
  k.more_reported = more;
  return k;
}

bool ListingKeys::IsParam(const std::string& key) const {
  return std::find(params.begin(), params.end(), key) != params.end();
}

bool ListingKeys::IsMetric(const std::string& key) const {
  if (std::find(metrics.begin(), metrics.end(), key) != metrics.end()) return true;
  return more_reported && ValidMetricName(key);
}

std::vector<std::string> ListingKeys::All() const {
  std::vector<std::string> all = {"index", "objective"};
  all.insert(all.end(), params.begin(), params.end());
  all.insert(all.end(), metrics.begin(), metrics.end());
  return all;
}

std::string ListingKeys::Unknown(const std::string& key, const std::vector<std::string>& candidates) const {
  // A sweep may report hundreds of names: the message names the first few (the
  // did-you-mean looks at them all).
  constexpr std::size_t kShown = 50;
  std::string listed =
      absl::StrJoin(candidates.begin(), candidates.begin() + std::min(candidates.size(), kShown), ", ");
  if (candidates.size() > kShown) absl::StrAppend(&listed, " and ", candidates.size() - kShown, " more");
  return absl::StrCat("unknown key ", Quoted(key), DidYouMean(key, candidates), "; one of ", listed,
                      none_reported ? " (no trial has reported a metric yet)" : "");
}

absl::StatusOr<store::TrialCondition> ParseCondition(absl::string_view text, const ListingKeys& keys) {
  using Op = store::TrialCondition::Op;
  const absl::string_view s = absl::StripAsciiWhitespace(text);
  const auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat("where ", Quoted(std::string_view(s.data(), s.size())), ": ", why));
  };
  if (s.size() > kMaxConditionLength) {
    return bad(
        absl::StrCat("a condition is at most ", kMaxConditionLength, " characters (this one has ", s.size(), ")"));
  }
  size_t i = 0;
  while (i < s.size() && KeyChar(s[i])) ++i;
  const std::string key(absl::StripAsciiWhitespace(s.substr(0, i)));
  size_t j = i;
  while (j < s.size() && s[j] == ' ') ++j;
  if (key.empty() || j == s.size()) {
    return bad("write <key><op><value>, e.g. lr<=0.01 or optimizer=adam,sgd (op: = != < <= > >=)");
  }
  Op op = Op::kEq;
  size_t len = 1;
  const absl::string_view rest = s.substr(j);
  if (absl::StartsWith(rest, "<="))
    op = Op::kLe, len = 2;
  else if (absl::StartsWith(rest, ">="))
    op = Op::kGe, len = 2;
  else if (absl::StartsWith(rest, "!="))
    op = Op::kNe, len = 2;
  else if (absl::StartsWith(rest, "=="))
    op = Op::kEq, len = 2;
  else if (rest[0] == '<')
    op = Op::kLt;
  else if (rest[0] == '>')
    op = Op::kGt;
  else if (rest[0] == '=')
    op = Op::kEq;
  else
    return bad(absl::StrCat(Quoted(std::string(rest.substr(0, 1))), " is not an operator (= != < <= > >=)"));
  store::TrialCondition c;
  c.op = op;
  c.name = key;
  if (key == "objective") {
    c.field = store::TrialCondition::Field::kObjective;
  } else if (keys.IsParam(key)) {
    c.field = store::TrialCondition::Field::kParameter;
  } else if (keys.IsMetric(key)) {
    c.field = store::TrialCondition::Field::kMetric;
  } else {
    std::vector<std::string> all = {"objective"};
    all.insert(all.end(), keys.params.begin(), keys.params.end());
    all.insert(all.end(), keys.metrics.begin(), keys.metrics.end());
    return bad(keys.Unknown(key, all));
  }
  const absl::string_view value = absl::StripAsciiWhitespace(rest.substr(len));
  if (value.empty()) return bad("no value after the operator");
  // `lr=<0.01`, `lr=>1`, `lr=!adam`: an operator written the other way round, not a value.
  if (value[0] == '<' || value[0] == '>' || value[0] == '=' || value[0] == '!') {
    const std::string written = absl::StrCat(rest.substr(0, len), value.substr(0, 1));
    const std::string meant = written == "=<" ? "<=" : written == "=>" ? ">=" : written == "=!" ? "!=" : "";
    return bad(absl::StrCat(
        Quoted(written), " is not an operator",
        meant.empty() ? std::string()
                      : absl::StrCat(" (did you mean ", Quoted(absl::StrCat(key, meant, value.substr(1))), "?)"),
        "; op: = != < <= > >="));
  }
  if (op == Op::kEq || op == Op::kNe) {
    for (const auto& v : SplitValues(value)) {
      if (v.empty()) return bad("an empty value in the list");
      c.values.push_back(ValueOf(v));
    }
    if (c.values.size() > store::kMaxConditionValues)
      return bad(absl::StrCat("at most ", store::kMaxConditionValues, " values in a list"));
  } else {
    auto v = ValueOf(std::string(value));
    if (!std::holds_alternative<double>(v)) {
      return bad(absl::StrCat(Quoted(std::string_view(value.data(), value.size())),
                              " is not a number (<, <=, > and >= compare numbers)"));
    }
    c.values.push_back(v);
  }
  return c;
}

}  // namespace hpsearch::scheduler
