// Every setting a trial may have (DESIGN §5): name, type, allowed values or range.
// The search library validates specs against this table at submit time, the
// conversions at the edges type values by it, and the trainer parses trial
// parameters with it, so all agree on what is valid.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/util/value.h"

namespace hpsearch::vocabulary {

enum class ParamType { kInt, kFloat, kString, kBool, kIntList, kLayerList };

struct ParamInfo {
  std::string name;
  ParamType type;
  std::vector<std::string> choices;  // kString: the allowed values
  double min = 0, max = 0;           // kInt / kFloat / kIntList elements: inclusive bounds
                                     // (kLayerList: conv_stack.h's ParseLayers checks it)
  bool min_exclusive = false;        // (min, max]
  std::string help;                  // one line, with the default
};

const std::vector<ParamInfo>& Vocabulary();
const std::vector<std::string>& VocabularyNames();
const ParamInfo* FindParam(const std::string& name);

// OK when `value` is valid for `info` (an integer setting also takes an integral
// double such as 64.0); the message says what is wrong, without a field path
// (callers prefix it).
absl::Status CheckParamValue(const ParamInfo& info, const Value& value);

// Unknown name: an error with a did-you-mean.
absl::Status CheckParam(const std::string& name, const Value& value);

// `value` in the setting's own type: integer settings (and hidden's widths) as
// ints, number settings as doubles even when written 1. REQUIRES: CheckParamValue.
Value Typed(const ParamInfo& info, const Value& value);
// Every known setting of `p` in its own type (unknown names stay as they are).
Params Typed(Params p);

std::string TypeName(ParamType type);

}  // namespace hpsearch::vocabulary
