#include "util/dataset_spec_json.h"

namespace hpsearch {

nlohmann::json DatasetSpecToJson(const hpsearch::v1::DatasetSpec& d) {
  nlohmann::json j = nlohmann::json::object();
  j["name"] = d.name();
  if (d.has_validation()) j["validation"] = d.validation();
  if (d.has_test()) j["test"] = d.test();
  if (d.has_noise()) j["noise"] = d.noise();
  if (!d.path().empty()) j["path"] = d.path();
  if (!d.target().empty()) j["target"] = d.target();
  if (!d.task().empty()) j["task"] = d.task();
  if (d.samples() != 0) j["samples"] = d.samples();
  if (d.classes() != 0) j["classes"] = d.classes();
  if (d.features() != 0) j["features"] = d.features();
  if (d.seed() != 0) j["seed"] = d.seed();
  return j;
}

}  // namespace hpsearch
