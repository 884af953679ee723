// A trial setting's value — an int, a double, a string, a bool or a list of values —
// and Params, a trial's settings by name. The one form parameters take between the
// edges (YAML, JSON columns, protobuf) and the trainer: an integer stays an integer
// and 0.01 stays the double 0.01 all the way.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace hpsearch {

class Value {
 public:
  using List = std::vector<Value>;
  enum class Type { kInt, kDouble, kString, kBool, kList };

  Value() : v_(int64_t{0}) {}
  Value(int v) : v_(int64_t{v}) {}              // NOLINT(runtime/explicit): values read as literals
  Value(int64_t v) : v_(v) {}                   // NOLINT
  Value(double v) : v_(v) {}                    // NOLINT
  Value(bool v) : v_(v) {}                      // NOLINT
  Value(const char* v) : v_(std::string(v)) {}  // NOLINT
  Value(std::string v) : v_(std::move(v)) {}    // NOLINT
  Value(List v) : v_(std::move(v)) {}           // NOLINT

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_int() const { return type() == Type::kInt; }
  bool is_double() const { return type() == Type::kDouble; }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return type() == Type::kString; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_list() const { return type() == Type::kList; }

  // REQUIRES: the matching type (number(): int or double).
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const { return std::get<double>(v_); }
  double number() const { return is_int() ? static_cast<double>(as_int()) : as_double(); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  bool as_bool() const { return std::get<bool>(v_); }
  const List& as_list() const { return std::get<List>(v_); }

  // Canonical text: 64, 0.001 (shortest round trip), "adam", true, [256,128].
  // Equal values have equal text; an int and a double never do (1 vs 1.0).
  std::string ToString() const;

  friend bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }
  friend bool operator<(const Value& a, const Value& b) { return a.v_ < b.v_; }

 private:
  std::variant<int64_t, double, std::string, bool, List> v_;
};

const char* TypeName(Value::Type type);

// A trial's settings, by name (sorted, so its text is canonical).
using Params = std::map<std::string, Value>;

// {"lr":0.001,"optimizer":"adam"}: the canonical text of a configuration.
std::string CanonicalText(const Params& p);
// 64-bit FNV-1a of the canonical text.
uint64_t ConfigHash(const Params& p);

}  // namespace hpsearch
