#include "search/conditions.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"

namespace hpsearch::search {

absl::StatusOr<std::vector<int>> ConditionOrder(const Spec& spec) {
  const auto& params = spec.parameters;
  std::map<std::string, int> index;
  for (int i = 0; i < static_cast<int>(params.size()); ++i) index[params[i].name] = i;
  std::vector<std::vector<int>> parents(params.size());
  for (int i = 0; i < static_cast<int>(params.size()); ++i) {
    for (const auto& c : params[i].when) {
      auto it = index.find(c.parent);
      if (it == index.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("parameters.", params[i].name, ".when.", c.parent, ": unknown parameter"));
      }
      parents[i].push_back(it->second);
    }
  }
  // Depth-first over parent links; a parameter met again while on the path closes a
  // cycle.
  enum { kUnseen, kOnPath, kDone };
  std::vector<int> state(params.size(), kUnseen);
  std::vector<int> order;
  std::function<bool(int)> visit = [&](int i) {
    if (state[i] == kDone) return true;
    if (state[i] == kOnPath) return false;
    state[i] = kOnPath;
    for (int p : parents[i]) {
      if (!visit(p)) return false;
    }
    state[i] = kDone;
    order.push_back(i);
    return true;
  };
  for (int i = 0; i < static_cast<int>(params.size()); ++i) {
    if (!visit(i)) {
      return absl::InvalidArgumentError(absl::StrCat("parameters.", params[i].name, ".when: conditions form a cycle"));
    }
  }
  return order;
}

absl::Status CheckConditionCombinations(const Spec& spec) {
  std::map<std::string, uint64_t> parents;  // name → its value count
  for (const auto& p : spec.parameters) {
    for (const auto& c : p.when) parents[c.parent] = 1;
  }
  uint64_t combinations = 1;
  for (const auto& p : spec.parameters) {
    if (!parents.contains(p.name) || p.domain != Parameter::Domain::kValues) continue;
    const uint64_t n = std::max<uint64_t>(p.values.size(), 1);
    combinations = combinations > kMaxConditionCombinations / n ? kMaxConditionCombinations + 1 : combinations * n;
  }
  if (combinations <= kMaxConditionCombinations) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("parameters: the `when` parents' values combine in more than ",
                                                 kMaxConditionCombinations, " ways; condition on fewer parameters"));
}

}  // namespace hpsearch::search
