#include "common/util/value.h"

#include <charconv>
#include <cmath>

namespace hpsearch {

namespace {

void Quote(const std::string& s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

void Append(const Value& v, std::string* out) {
  switch (v.type()) {
    case Value::Type::kInt:
      out->append(std::to_string(v.as_int()));
      return;
    case Value::Type::kDouble: {
      char buf[32];
      const double d = v.as_double();
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
      std::string text(buf, end);
      // Keep doubles recognisable as doubles: 1 → 1.0.
      if (std::isfinite(d) && text.find_first_of(".eE") == std::string::npos) text += ".0";
      out->append(text);
      return;
    }
    case Value::Type::kString:
      Quote(v.as_string(), out);
      return;
    case Value::Type::kBool:
      out->append(v.as_bool() ? "true" : "false");
      return;
    case Value::Type::kList: {
      out->push_back('[');
      bool first = true;
      for (const auto& e : v.as_list()) {
        if (!first) out->push_back(',');
        first = false;
        Append(e, out);
      }
      out->push_back(']');
      return;
    }
  }
}

}  // namespace

std::string Value::ToString() const {
  std::string out;
  Append(*this, &out);
  return out;
}

const char* TypeName(Value::Type type) {
  switch (type) {
    case Value::Type::kInt:
      return "integer";
    case Value::Type::kDouble:
      return "number";
    case Value::Type::kString:
      return "string";
    case Value::Type::kBool:
      return "boolean";
    case Value::Type::kList:
      return "list";
  }
  return "?";
}

std::string CanonicalText(const Params& p) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : p) {
    if (!first) out.push_back(',');
    first = false;
    Quote(k, &out);
    out.push_back(':');
    Append(v, &out);
  }
  out.push_back('}');
  return out;
}

uint64_t ConfigHash(const Params& p) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : CanonicalText(p)) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace hpsearch
