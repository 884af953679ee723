// Every setting a trial may have (DESIGN §5): name, type, allowed values or range.
// The search library validates specs against this table at submit time, and the
// trainer parses trial parameters with it, so both agree on what is valid.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace hpsearch::trainer {

enum class ParamType { kInt, kFloat, kString, kBool, kIntList };

struct ParamInfo {
  std::string name;
  ParamType type;
  std::vector<std::string> choices;  // kString: the allowed values
  double min = 0, max = 0;           // kInt / kFloat / kIntList elements: inclusive bounds
  bool min_exclusive = false;        // (min, max]
  std::string help;                  // one line, with the default
};

const std::vector<ParamInfo>& Vocabulary();
const std::vector<std::string>& VocabularyNames();
const ParamInfo* FindParam(const std::string& name);

// OK when `value` is valid for `info`; the message says what is wrong, without a field
// path (callers prefix it).
absl::Status CheckParamValue(const ParamInfo& info, const nlohmann::json& value);

// Unknown name: an error with a did-you-mean.
absl::Status CheckParam(const std::string& name, const nlohmann::json& value);

std::string TypeName(ParamType type);

}  // namespace hpsearch::trainer
