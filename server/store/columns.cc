#include "server/store/columns.h"

#include <cmath>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "common/util/value_json.h"
#include "nlohmann/json.hpp"

namespace hpsearch::store {

using nlohmann::json;

void RequireFinite(double v, const std::string& what) {
  if (!std::isfinite(v)) throw std::invalid_argument(absl::StrCat(what, " is not finite"));
}

std::string MetricsText(const std::map<std::string, double>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) {
    RequireFinite(v, k);
    j[k] = v;
  }
  return j.dump();
}

std::map<std::string, double> MetricsFromText(const std::string& text) {
  std::map<std::string, double> out;
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items()) {
    if (v.is_number()) out[k] = v.get<double>();
  }
  return out;
}

std::string ParamsText(const Params& p) { return ToJson(p).dump(); }

Params ParamsFromText(const std::string& text) {
  auto p = ParamsFromJson(json::parse(text, nullptr, false));
  return p.ok() ? *std::move(p) : Params{};
}

namespace {

json Doubles(const std::vector<double>& v) {
  json j = json::array();
  for (double x : v) j.push_back(std::isfinite(x) ? json(x) : json(nullptr));
  return j;
}

std::vector<double> Doubles(const json& j) {
  std::vector<double> out;
  if (!j.is_array()) return out;
  for (const auto& x : j) out.push_back(x.is_number() ? x.get<double>() : NAN);
  return out;
}

}  // namespace

std::string DoublesText(const std::vector<double>& v) { return Doubles(v).dump(); }

std::vector<double> DoublesFromText(const std::string& text) { return Doubles(json::parse(text, nullptr, false)); }

std::string DiagnosticsText(const std::vector<ActivationStats>& stats) {
  json j = json::array();
  for (const auto& s : stats) j.push_back({{"epoch", s.epoch}, {"mean", Doubles(s.mean)}, {"std", Doubles(s.std)}});
  return j.dump();
}

std::vector<ActivationStats> DiagnosticsFromText(const std::string& text) {
  std::vector<ActivationStats> out;
  const json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (!e.is_object()) continue;
    out.push_back(ActivationStats{e.value("epoch", 0), Doubles(e.value("mean", json::array())),
                                  Doubles(e.value("std", json::array()))});
  }
  return out;
}

std::string KeyPath(const std::string& key) { return "$.\"" + key + "\""; }

}  // namespace hpsearch::store
