#include "common/protocol/command.h"

#include "absl/strings/str_cat.h"
#include "common/util/printable.h"
#include "common/util/value_json.h"

namespace hpsearch {

namespace {

bool NameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool NameChar(char c) { return NameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

absl::StatusOr<std::vector<std::string>> Placeholders(const std::string& element) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < element.size(); ++i) {
    const char c = element[i];
    if ((c == '{' || c == '}') && i + 1 < element.size() && element[i + 1] == c) {
      ++i;  // {{ or }}: a literal brace
      continue;
    }
    if (c == '}') return absl::InvalidArgumentError("a lone '}' (write '}}' for a literal brace)");
    if (c != '{') continue;
    const std::size_t close = element.find('}', i + 1);
    if (close == std::string::npos)
      return absl::InvalidArgumentError("'{' is never closed (write '{{' for a literal brace)");
    const std::string name = element.substr(i + 1, close - i - 1);
    bool ok = !name.empty() && NameStart(name[0]);
    for (char n : name) ok = ok && NameChar(n);
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat(Quoted("{" + name + "}"), " is not a placeholder: {name} with a name of letters, digits and _"));
    }
    names.push_back(name);
    i = close;
  }
  return names;
}

std::string ArgumentText(const Value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_list()) return ToJson(v).dump();
  return v.ToString();
}

std::map<std::string, std::string> PlaceholderValues(const Params& params, const std::string& sweep, int64_t trial,
                                                     int32_t attempt, uint64_t seed, const std::string& trial_dir) {
  std::map<std::string, std::string> values;
  for (const auto& [k, v] : params) values[k] = ArgumentText(v);
  values["sweep"] = sweep;
  values["trial"] = std::to_string(trial);
  values["attempt"] = std::to_string(attempt);
  values["seed"] = std::to_string(seed);
  values["trial_dir"] = trial_dir;
  return values;
}

std::string Fill(const std::string& element, const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < element.size(); ++i) {
    const char c = element[i];
    if ((c == '{' || c == '}') && i + 1 < element.size() && element[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    const std::size_t close = element.find('}', i + 1);
    if (close == std::string::npos) return out + element.substr(i);
    auto it = values.find(element.substr(i + 1, close - i - 1));
    if (it != values.end()) out += it->second;
    i = close;
  }
  return out;
}

}  // namespace hpsearch
