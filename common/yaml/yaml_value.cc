#include "common/yaml/yaml_value.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/util/printable.h"
#include "yaml-cpp/depthguard.h"

namespace hpsearch {

std::optional<Value> TypedScalar(const std::string& s, bool quoted) {
  if (quoted) return Value(s);
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return std::nullopt;
  if (s == "true" || s == "True" || s == "TRUE") return Value(true);
  if (s == "false" || s == "False" || s == "FALSE") return Value(false);
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+') ++b;
  int64_t i;
  if (auto [p, ec] = std::from_chars(b, e, i); ec == std::errc() && p == e) return Value(i);
  double d;
  if (auto [p, ec] = std::from_chars(b, e, d); ec == std::errc() && p == e) return Value(d);
  if (s == ".inf" || s == "+.inf" || s == ".Inf") return Value(std::numeric_limits<double>::infinity());
  if (s == "-.inf" || s == "-.Inf") return Value(-std::numeric_limits<double>::infinity());
  if (s == ".nan" || s == ".NaN") return Value(std::numeric_limits<double>::quiet_NaN());
  return Value(s);
}

namespace {

// `{conv: {filters: 32, kernel: 3}}` → "conv filters=32 kernel=3", `{dense: 128}` →
// "dense 128": a list entry written as one name with a value or a flat mapping.
absl::StatusOr<Value> EntryText(const YAML::Node& node) {
  const auto bad = [] {
    return absl::InvalidArgumentError(
        "a mapping in a list must be one name with a value or a mapping of values, e.g. {conv: {filters: 32}}");
  };
  if (node.size() != 1) return bad();
  std::string text;
  YAML::Node value;
  for (const auto& e : node) {  // the one entry
    text = e.first.Scalar();
    value = e.second;
  }
  if (value.IsScalar()) return Value(absl::StrCat(text, " ", value.Scalar()));
  if (!value.IsMap()) return bad();
  for (const auto& kv : value) {
    if (!kv.second.IsScalar()) return bad();
    absl::StrAppend(&text, " ", kv.first.Scalar(), "=", kv.second.Scalar());
  }
  return Value(std::move(text));
}

absl::StatusOr<Value> ToValue(const YAML::Node& node, int depth, bool in_list = false) {
  if (depth > kMaxYamlDepth)
    return absl::InvalidArgumentError(absl::StrCat("nested deeper than ", kMaxYamlDepth, " levels"));
  switch (node.Type()) {
    case YAML::NodeType::Scalar: {
      auto v = TypedScalar(node.Scalar(), node.Tag() == "!");
      if (v) return *std::move(v);
      return absl::InvalidArgumentError("a value is required");
    }
    case YAML::NodeType::Sequence: {
      Value::List list;
      for (const auto& e : node) {
        auto v = ToValue(e, depth + 1, true);
        if (!v.ok()) return v.status();
        list.push_back(*std::move(v));
      }
      return Value(std::move(list));
    }
    case YAML::NodeType::Map:
      if (in_list) return EntryText(node);
      return absl::InvalidArgumentError("expected a value, not a mapping");
    default:
      return absl::InvalidArgumentError("a value is required");
  }
}

// One walk over the document as if every alias were written out, with the nodes on
// the current path (to find an alias back to one of them) and a count that stops
// the walk at the limit.
class BoundsCheck {
 public:
  explicit BoundsCheck(const std::string& source) : source_(source) {}

  absl::Status Visit(const YAML::Node& n, int depth) {
    if (++nodes_ > kMaxYamlNodes)
      return Bad(n, absl::StrCat("more than ", kMaxYamlNodes, " values with every alias written out"));
    if (depth > kMaxYamlDepth) return Bad(n, absl::StrCat("nested deeper than ", kMaxYamlDepth, " levels"));
    if (!n.IsSequence() && !n.IsMap()) return absl::OkStatus();
    for (const auto& p : path_)
      if (p.is(n)) return Bad(n, "an alias refers to a node that contains it (a cycle)");
    path_.push_back(n);
    for (const auto& e : n) {
      const YAML::Node value = n.IsMap() ? e.second : YAML::Node(e);
      if (n.IsMap() && !e.first.IsScalar())
        return Bad(e.first, "a mapping key must be a name or a number, not a list, a mapping or null");
      if (auto st = Visit(value, depth + 1); !st.ok()) return st;
    }
    path_.pop_back();
    return absl::OkStatus();
  }

 private:
  absl::Status Bad(const YAML::Node& n, const std::string& what) const {
    const YAML::Mark m = n.Mark();
    if (m.is_null()) return absl::InvalidArgumentError(absl::StrCat(source_, ": ", what));
    return absl::InvalidArgumentError(absl::StrCat(source_, ":", m.line + 1, ":", m.column + 1, ": ", what));
  }

  const std::string& source_;
  std::size_t nodes_ = 0;
  std::vector<YAML::Node> path_;
};

}  // namespace

absl::StatusOr<Value> YamlToValue(const YAML::Node& node) { return ToValue(node, 0); }

absl::Status CheckYamlBounds(const YAML::Node& root, const std::string& source) {
  return BoundsCheck(source).Visit(root, 0);
}

absl::StatusOr<Params> YamlToParams(const YAML::Node& node) {
  if (!node.IsMap()) return absl::InvalidArgumentError("must be a mapping");
  Params p;
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    auto v = YamlToValue(kv.second);
    if (!v.ok()) return absl::InvalidArgumentError(absl::StrCat(key, ": ", v.status().message()));
    p[key] = *std::move(v);
  }
  return p;
}

absl::StatusOr<YAML::Node> ParseYaml(const std::string& text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    return absl::InvalidArgumentError(absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1,
                                                   ": nested too deeply (yaml-cpp stops at ", e.depth(), " levels)"));
  } catch (const YAML::Exception& e) {  // its message may quote the text (an escape it does not know)
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", Printable(e.msg)));
  }
  if (auto st = CheckYamlBounds(root, source); !st.ok()) return st;
  return root;
}

absl::StatusOr<YAML::Node> LoadYamlFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseYaml(ss.str(), path);
}

}  // namespace hpsearch
