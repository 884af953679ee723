// `parameters:` entries of a spec file.
#include "absl/strings/str_cat.h"
#include "common/util/did_you_mean.h"
#include "common/util/status_macros.h"
#include "common/yaml/yaml_value.h"
#include "search/spec_yaml.h"

namespace hpsearch::client::spec_yaml {

using search::Parameter;
using search::Scale;

namespace {

// How a range is written here, for the keys other tools use (Optuna's suggest_*
// arguments, W&B Sweeps' and Ray Tune's distributions); "" for any other key.
std::string ForeignRangeKey(const std::string& key) {
  if (key == "low") return "is `min` here (Optuna's low/high are min/max)";
  if (key == "high") return "is `max` here (Optuna's low/high are min/max)";
  if (key == "log") return "write `scale: log` (Optuna's log=True)";
  if (key == "choices") return "is `values` here: `values: [a, b, c]`";
  if (key == "q") return "is `step` here (a grid of min, min + step, ... max)";
  if (key == "distribution" || key == "dist") {
    return "ranges are written by their bounds here: `{min: 1e-4, max: 1e-1, scale: log}` (W&B's log_uniform_values), "
           "`{min: 1, max: 8}` with integer bounds (int_uniform), `{min: 0.0, max: 1.0}` (uniform), "
           "`{values: [...]}` (categorical)";
  }
  return "";
}

// `min`/`max` (with `step`, `count`); `integral`: the bounds (and step) are written as
// integers.
absl::Status ParseRange(const YAML::Node& n, const std::string& path, search::Range& r, bool* integral) {
  if (!n["min"].IsDefined()) return Err(path + ".min", "is required with max", n);
  if (!n["max"].IsDefined()) return Err(path + ".max", "is required with min", n);
  ASSIGN_OR_RETURN(r.min, Num(n["min"], path + ".min"));
  ASSIGN_OR_RETURN(r.max, Num(n["max"], path + ".max"));
  if (n["step"].IsDefined()) {
    ASSIGN_OR_RETURN(r.step, Num(n["step"], path + ".step"));
  }
  if (n["count"].IsDefined()) {
    ASSIGN_OR_RETURN(r.count, Int(n["count"], path + ".count"));
  }
  const auto is_int = [](const YAML::Node& x) {
    auto v = YamlToValue(x);
    return v.ok() && v->is_int();
  };
  *integral =
      !n["type"].IsDefined() && is_int(n["min"]) && is_int(n["max"]) && (!n["step"].IsDefined() || is_int(n["step"]));
  return absl::OkStatus();
}

// A range's `scale` and `type`.
absl::Status ParseScaleAndType(const YAML::Node& n, const std::string& path, search::Range& r) {
  if (n["scale"].IsDefined()) {
    ASSIGN_OR_RETURN(auto s, Str(n["scale"], path + ".scale"));
    if (s != "log" && s != "linear") {
      return Err(path + ".scale", "must be linear or log" + DidYouMean(s, {"linear", "log"}), n["scale"]);
    }
    r.scale = s == "log" ? Scale::kLog : Scale::kLinear;
  }
  if (n["type"].IsDefined()) {
    ASSIGN_OR_RETURN(auto s, Str(n["type"], path + ".type"));
    if (s != "int" && s != "float") {
      return Err(path + ".type", "must be int or float" + DidYouMean(s, {"int", "float"}), n["type"]);
    }
    r.integer = s == "int";
  }
  return absl::OkStatus();
}

// `when: {parent: value or [values]}`.
absl::Status ParseWhen(const YAML::Node& w, const std::string& path, std::vector<search::Condition>& when) {
  if (!w.IsMap()) return Err(path, "must map parent parameters to values", w);
  for (const auto& kv : w) {
    search::Condition c;
    c.parent = kv.first.as<std::string>();
    const std::string cpath = path + "." + c.parent;
    if (kv.second.IsSequence()) {
      if (auto st = ParseValues(kv.second, cpath, c.values); !st.ok()) return st;
    } else {
      ASSIGN_OR_RETURN(auto v, Val(kv.second, cpath));
      c.values.push_back(std::move(v));
    }
    when.push_back(std::move(c));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseParameter(const std::string& name, const YAML::Node& n, Parameter& p, bool* integral) {
  *integral = false;
  const std::string path = "parameters." + name;
  p.name = name;
  if (!n.IsMap()) return Err(path, "must be a mapping with values, min/max or value", n);
  if (auto st = CheckForeignKeys(n, path, ForeignRangeKey); !st.ok()) return st;
  if (auto st = CheckKeys(n, path, {"values", "min", "max", "value", "scale", "type", "step", "count", "when"});
      !st.ok()) {
    return st;
  }
  const bool has_values = n["values"].IsDefined(), has_value = n["value"].IsDefined();
  const bool has_range = n["min"].IsDefined() || n["max"].IsDefined();
  if (has_values + has_value + has_range != 1) {
    return Err(path, "needs exactly one of `values`, `min`/`max` or `value`", n);
  }
  if (has_values) {
    p.domain = Parameter::Domain::kValues;
    if (auto st = ParseValues(n["values"], path + ".values", p.values); !st.ok()) return st;
  } else if (has_value) {
    p.domain = Parameter::Domain::kConstant;
    ASSIGN_OR_RETURN(p.value, Val(n["value"], path + ".value"));
  } else {
    p.domain = Parameter::Domain::kRange;
    if (auto st = ParseRange(n, path, p.range, integral); !st.ok()) return st;
  }
  for (const char* key : {"scale", "type", "step", "count"}) {
    if (n[key].IsDefined() && !has_range) return Err(path + "." + key, "only applies to a min/max range", n[key]);
  }
  if (auto st = ParseScaleAndType(n, path, p.range); !st.ok()) return st;
  if (n["when"].IsDefined()) return ParseWhen(n["when"], path + ".when", p.when);
  return absl::OkStatus();
}

}  // namespace hpsearch::client::spec_yaml
