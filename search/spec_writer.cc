#include "search/spec_writer.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>

#include "common/yaml/yaml_value.h"
#include "search/spec_validator.h"

namespace hpsearch::search {

namespace {

// The shortest text that reads back as the same double, with a `.0` when it would
// otherwise read as an integer.
std::string DoubleText(double x) {
  if (std::isnan(x)) return ".nan";
  if (std::isinf(x)) return x > 0 ? ".inf" : "-.inf";
  char buf[64];
  const auto end = std::to_chars(buf, buf + sizeof buf, x).ptr;
  std::string s(buf, end);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// YAML 1.1's other booleans (as PyYAML reads them): this reader takes them as strings.
bool Yaml11Bool(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "yes" || s == "no" || s == "on" || s == "off";
}

// A string as a plain scalar when YAML reads it back as this string, else quoted.
void EmitString(YAML::Emitter& out, const std::string& s) {
  bool plain = !s.empty() && !Yaml11Bool(s);
  if (plain) {
    try {
      auto v = YamlToValue(YAML::Load(s));
      plain = v.ok() && v->is_string() && v->as_string() == s;
    } catch (const YAML::Exception&) {
      plain = false;
    }
  }
  if (plain) {
    out << s;
  } else {
    out << YAML::DoubleQuoted << s;
  }
}

void EmitValue(YAML::Emitter& out, const Value& v) {
  if (v.is_list()) {
    out << YAML::Flow << YAML::BeginSeq;
    for (const auto& e : v.as_list()) EmitValue(out, e);
    out << YAML::EndSeq;
  } else if (v.is_string()) {
    EmitString(out, v.as_string());
  } else if (v.is_bool()) {
    out << (v.as_bool() ? "true" : "false");
  } else if (v.is_int()) {
    out << std::to_string(v.as_int());
  } else {
    out << DoubleText(v.as_double());
  }
}

// `key: {k: v, ...}` for a map of strings (a command's env, the labels); nothing when empty.
void EmitStringMap(YAML::Emitter& out, const char* key, const std::map<std::string, std::string>& map) {
  if (map.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& [k, v] : map) {
    out << YAML::Key;
    EmitString(out, k);
    out << YAML::Value;
    EmitString(out, v);
  }
  out << YAML::EndMap;
}

std::string Seconds(double s) {
  if (std::floor(s) == s && std::fabs(s) < 9e15) return std::to_string(static_cast<int64_t>(s)) + "s";
  return DoubleText(s).append("s");
}

void EmitDataset(YAML::Emitter& out, const vocabulary::DatasetOptions& d) {
  const vocabulary::DatasetOptions defaults;
  out << YAML::Key << "dataset" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value;
  EmitString(out, d.name);
  if (d.validation != defaults.validation) out << YAML::Key << "validation" << YAML::Value << DoubleText(d.validation);
  if (d.test != defaults.test) out << YAML::Key << "test" << YAML::Value << DoubleText(d.test);
  const auto text = [&](const char* key, const std::string& s) {
    if (s.empty()) return;
    out << YAML::Key << key << YAML::Value;
    EmitString(out, s);
  };
  text("path", d.path);
  text("target", d.target);
  text("task", d.task);
  if (d.samples != defaults.samples) out << YAML::Key << "samples" << YAML::Value << std::to_string(d.samples);
  if (d.noise != defaults.noise) out << YAML::Key << "noise" << YAML::Value << DoubleText(d.noise);
  if (d.classes != defaults.classes) out << YAML::Key << "classes" << YAML::Value << std::to_string(d.classes);
  if (d.features != defaults.features) out << YAML::Key << "features" << YAML::Value << std::to_string(d.features);
  if (d.seed != defaults.seed) out << YAML::Key << "seed" << YAML::Value << std::to_string(d.seed);
  out << YAML::EndMap;
}

void EmitTrainer(YAML::Emitter& out, const Trainer& t) {
  if (t.external()) {
    out << YAML::Key << "trainer" << YAML::Value << "external";
    return;
  }
  const CommandSpec& c = t.command;
  const CommandSpec defaults;
  out << YAML::Key << "trainer" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "command" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& a : c.argv) EmitString(out, a);
  out << YAML::EndSeq;
  if (c.timeout_seconds != defaults.timeout_seconds)
    out << YAML::Key << "timeout" << YAML::Value << Seconds(c.timeout_seconds);
  if (c.grace_seconds != defaults.grace_seconds) out << YAML::Key << "grace" << YAML::Value << Seconds(c.grace_seconds);
  if (c.slots != defaults.slots) out << YAML::Key << "slots" << YAML::Value << std::to_string(c.slots);
  EmitStringMap(out, "env", c.env);
  out << YAML::EndMap;
}

void EmitParameter(YAML::Emitter& out, const Parameter& p, bool builtin) {
  out << YAML::Key;
  EmitString(out, p.name);
  out << YAML::Value << YAML::Flow << YAML::BeginMap;
  switch (p.domain) {
    case Parameter::Domain::kValues:
      out << YAML::Key << "values" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& v : p.values) EmitValue(out, v);
      out << YAML::EndSeq;
      break;
    case Parameter::Domain::kConstant:
      out << YAML::Key << "value" << YAML::Value;
      EmitValue(out, p.value);
      break;
    case Parameter::Domain::kRange:
    case Parameter::Domain::kNone: {
      const Range& r = p.range;
      // Integer bounds as integers: a command's range is typed by how it is written.
      const auto bound = [&](double x) {
        return r.integer && std::floor(x) == x && std::fabs(x) < 9e15 ? std::to_string(static_cast<int64_t>(x))
                                                                      : DoubleText(x);
      };
      out << YAML::Key << "min" << YAML::Value << bound(r.min) << YAML::Key << "max" << YAML::Value << bound(r.max);
      if (r.scale == Scale::kLog) out << YAML::Key << "scale" << YAML::Value << "log";
      if (r.integer && builtin) out << YAML::Key << "type" << YAML::Value << "int";
      if (r.step) out << YAML::Key << "step" << YAML::Value << (r.integer ? bound(*r.step) : DoubleText(*r.step));
      if (r.count) out << YAML::Key << "count" << YAML::Value << std::to_string(*r.count);
      break;
    }
  }
  if (!p.when.empty()) {
    out << YAML::Key << "when" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& c : p.when) {
      out << YAML::Key;
      EmitString(out, c.parent);
      out << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& v : c.values) EmitValue(out, v);
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void EmitPruning(YAML::Emitter& out, const Pruning& p) {
  if (p.method == PruningMethod::kNone) return;
  const Pruning defaults;
  out << YAML::Key << "pruning" << YAML::Value << YAML::Flow << YAML::BeginMap;
  if (p.method == PruningMethod::kMedian) {
    out << YAML::Key << "method" << YAML::Value << "median";
    if (p.startup_trials != defaults.startup_trials)
      out << YAML::Key << "startup_trials" << YAML::Value << std::to_string(p.startup_trials);
    if (p.warmup_epochs != defaults.warmup_epochs)
      out << YAML::Key << "warmup_epochs" << YAML::Value << std::to_string(p.warmup_epochs);
    if (p.interval != defaults.interval) out << YAML::Key << "interval" << YAML::Value << std::to_string(p.interval);
  } else {
    out << YAML::Key << "method" << YAML::Value << (p.method == PruningMethod::kAsha ? "asha" : "hyperband");
    if (p.min_epochs != defaults.min_epochs)
      out << YAML::Key << "min_epochs" << YAML::Value << std::to_string(p.min_epochs);
    if (p.reduction_factor != defaults.reduction_factor)
      out << YAML::Key << "reduction_factor" << YAML::Value << std::to_string(p.reduction_factor);
  }
  out << YAML::EndMap;
}

// One objective's fields, as a flow mapping.
void EmitObjective(YAML::Emitter& out, const Objective& o) {
  out << YAML::Flow << YAML::BeginMap;
  if (!o.metric.empty()) {
    out << YAML::Key << "metric" << YAML::Value;
    EmitString(out, o.metric);
  }
  if (o.goal != Goal::kUnspecified)
    out << YAML::Key << "goal" << YAML::Value << (o.goal == Goal::kMaximize ? "maximize" : "minimize");
  if (o.target) out << YAML::Key << "target" << YAML::Value << DoubleText(*o.target);
  out << YAML::EndMap;
}

// `objective:` a mapping, or a list of them for a multi-objective sweep.
void EmitObjectives(YAML::Emitter& out, const Spec& spec) {
  const Objective& o = spec.objective;
  if (MultiObjective(spec)) {
    out << YAML::Key << "objective" << YAML::Value << YAML::BeginSeq;
    EmitObjective(out, o);
    for (const auto& other : spec.other_objectives) EmitObjective(out, other);
    out << YAML::EndSeq;
  } else if (!o.metric.empty() || o.goal != Goal::kUnspecified || o.target) {
    out << YAML::Key << "objective" << YAML::Value;
    EmitObjective(out, o);
  }
}

// `tpe:` or `nsga2:` when they differ from the defaults.
void EmitMethodOptions(YAML::Emitter& out, const Spec& spec) {
  if (spec.method == Method::kTpe) {
    const TpeOptions defaults;
    const TpeOptions& t = spec.tpe;
    if (t.startup_trials != defaults.startup_trials || t.candidates != defaults.candidates ||
        t.multivariate != defaults.multivariate || t.constant_liar != defaults.constant_liar) {
      out << YAML::Key << "tpe" << YAML::Value << YAML::Flow << YAML::BeginMap;
      out << YAML::Key << "startup_trials" << YAML::Value << std::to_string(t.startup_trials);
      out << YAML::Key << "candidates" << YAML::Value << std::to_string(t.candidates);
      out << YAML::Key << "multivariate" << YAML::Value << (t.multivariate ? "true" : "false");
      out << YAML::Key << "constant_liar" << YAML::Value << (t.constant_liar ? "true" : "false");
      out << YAML::EndMap;
    }
  }
  if (spec.method == Method::kNsga2) {
    const Nsga2Options defaults;
    const Nsga2Options& g = spec.nsga2;
    if (g.population != defaults.population || g.crossover_prob != defaults.crossover_prob ||
        g.swapping_prob != defaults.swapping_prob || g.mutation_prob) {
      out << YAML::Key << "nsga2" << YAML::Value << YAML::Flow << YAML::BeginMap;
      out << YAML::Key << "population" << YAML::Value << std::to_string(g.population);
      out << YAML::Key << "crossover_prob" << YAML::Value << DoubleText(g.crossover_prob);
      out << YAML::Key << "swapping_prob" << YAML::Value << DoubleText(g.swapping_prob);
      if (g.mutation_prob) out << YAML::Key << "mutation_prob" << YAML::Value << DoubleText(*g.mutation_prob);
      out << YAML::EndMap;
    }
  }
}

}  // namespace

std::string SpecToYaml(const Spec& spec) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value;
  EmitString(out, spec.name);
  if (!spec.trainer.builtin()) EmitTrainer(out, spec.trainer);
  if (!spec.dataset.name.empty()) EmitDataset(out, spec.dataset);
  EmitObjectives(out, spec);
  if (spec.method != Method::kUnspecified) out << YAML::Key << "method" << YAML::Value << MethodName(spec.method);
  if (spec.seed != 0) out << YAML::Key << "seed" << YAML::Value << std::to_string(spec.seed);
  const Budget& b = spec.budget;
  if (b.max_trials != 0 || b.max_failed != 0 || b.max_duration_seconds != 0) {
    out << YAML::Key << "budget" << YAML::Value << YAML::Flow << YAML::BeginMap;
    if (b.max_trials != 0) out << YAML::Key << "max_trials" << YAML::Value << std::to_string(b.max_trials);
    if (b.max_failed != 0) out << YAML::Key << "max_failed" << YAML::Value << std::to_string(b.max_failed);
    if (b.max_duration_seconds != 0)
      out << YAML::Key << "max_duration" << YAML::Value << Seconds(b.max_duration_seconds);
    out << YAML::EndMap;
  }
  if (spec.max_concurrent != 0) {
    out << YAML::Key << "parallelism" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "max_concurrent"
        << YAML::Value << std::to_string(spec.max_concurrent) << YAML::EndMap;
  }
  EmitMethodOptions(out, spec);
  EmitPruning(out, spec.pruning);
  if (!spec.fixed.empty()) {
    out << YAML::Key << "fixed" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [k, v] : spec.fixed) {
      out << YAML::Key;
      EmitString(out, k);
      out << YAML::Value;
      EmitValue(out, v);
    }
    out << YAML::EndMap;
  }
  if (!spec.parameters.empty()) {
    out << YAML::Key << "parameters" << YAML::Value << YAML::BeginMap;
    for (const auto& p : spec.parameters) EmitParameter(out, p, spec.trainer.builtin());
    out << YAML::EndMap;
  }
  EmitStringMap(out, "labels", spec.labels);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string TrialFileYaml(const vocabulary::DatasetOptions& dataset, const Params& settings, uint64_t seed,
                          const std::string& objective) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  EmitDataset(out, dataset);
  out << YAML::Key << "seed" << YAML::Value << std::to_string(seed);
  if (!objective.empty()) {
    out << YAML::Key << "objective" << YAML::Value;
    EmitString(out, objective);
  }
  for (const auto& [k, v] : settings) {
    out << YAML::Key;
    EmitString(out, k);
    out << YAML::Value;
    EmitValue(out, v);
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace hpsearch::search
