#include "worker/commands/trial_file.h"

#include <charconv>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/util/printable.h"
#include "common/vocabulary/metrics.h"
#include "common/vocabulary/settings.h"
#include "common/yaml/yaml_value.h"

namespace hpsearch::commands {

absl::StatusOr<TrialFile> ParseTrialFile(const YAML::Node& doc, const std::string& source) {
  // Keys and values come from the file: shown printable, and at most 1,000 bytes of it.
  auto bad = [&](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", Truncated(Printable(what), 1000)));
  };
  if (!doc.IsMap()) return bad("expected a mapping of settings");
  if (!doc["dataset"]) return bad("dataset: is required");
  TrialFile t;
  for (const auto& kv : doc) {
    const std::string k = kv.first.as<std::string>();
    if (k == "dataset") {
      // `dataset: wine` as in a spec, or the full block.
      auto fields = kv.second.IsScalar() ? absl::StatusOr<Params>(Params{{"name", Value(kv.second.Scalar())}})
                                         : YamlToParams(kv.second);
      if (!fields.ok()) return bad(absl::StrCat("dataset: ", fields.status().message()));
      auto ds = vocabulary::DatasetFromFields(*fields);
      if (!ds.ok()) return bad(std::string(ds.status().message()));
      t.dataset = *std::move(ds);
      continue;
    }
    if (k == "seed") {
      // All 64 bits: the seeds the server hands out use them.
      const std::string text = kv.second.IsScalar() ? kv.second.Scalar() : "";
      uint64_t seed = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        return bad("seed: must be an integer from 0 to 18446744073709551615");
      }
      t.seed = seed;
      continue;
    }
    auto v = YamlToValue(kv.second);
    if (!v.ok()) return bad(absl::StrCat(k, ": ", v.status().message()));
    if (k == "objective") {
      if (!v->is_string()) return bad("objective: must be a metric name");
      t.monitor = v->as_string();
      t.maximize = vocabulary::MaximizedByDefault(t.monitor);
    } else {
      t.params[k] = *std::move(v);
    }
  }
  auto config = trainer::ParseTrialConfig(t.params);
  if (!config.ok()) return bad(std::string(config.status().message()));
  t.params = vocabulary::Typed(std::move(t.params));
  t.config = *config;
  return t;
}

absl::StatusOr<TrialFile> LoadTrialFile(const std::string& path) {
  auto node = LoadYamlFile(path);
  if (!node.ok()) return node.status();
  return ParseTrialFile(*node, path);
}

}  // namespace hpsearch::commands
