#include "search/conditions.h"

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
      return absl::InvalidArgumentError(
          absl::StrCat("parameters.", params[i].name, ".when: conditions form a cycle"));
    }
  }
  return order;
}

}  // namespace hpsearch::search
