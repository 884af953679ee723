#include "commands/bench_command.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "trainer/gemm_ceiling.h"
#include "trainer/trainer.h"
#include "util/rng.h"

namespace hpsearch::commands {

std::string CompiledIsa() {
#if defined(__AVX512F__)
  return "avx512f+fma";
#elif defined(__AVX2__) && defined(__FMA__)
  return "avx2+fma";
#elif defined(__AVX__)
  return "avx";
#elif defined(__SSE4_2__)
  return "sse4.2";
#else
  return "sse2";
#endif
}

namespace {

data::Dataset SyntheticImages(int n, uint64_t seed) {
  data::Dataset d;
  d.name = "bench";
  d.num_classes = 10;
  d.x.resize(n, 784);
  d.labels.resize(n);
  Rng rng(seed);
  for (Eigen::Index i = 0; i < d.x.size(); ++i) d.x.data()[i] = static_cast<float>(rng.Uniform());
  for (int i = 0; i < n; ++i) {
    d.labels[i] = static_cast<int32_t>(rng.Below(10));
    d.train_rows.push_back(i);
  }
  return d;
}

struct SlotResult {
  double samples = 0;
  double seconds = 0;
};

// Trains one-epoch runs until `seconds` of epoch time has accumulated (after one
// warm-up epoch).
SlotResult RunSlot(const trainer::TrialConfig& c, const data::Dataset& d, double seconds, int slot) {
  SlotResult r;
  trainer::TrainOptions o;
  o.seed = static_cast<uint64_t>(slot) + 1;
  bool warm = false;
  while (r.seconds < seconds) {
    trainer::TrainResult t = trainer::Train(c, d, o);
    if (t.outcome != trainer::TrialOutcome::kCompleted || t.epochs.empty()) break;
    if (!warm) {
      warm = true;
      continue;
    }
    r.samples += static_cast<double>(d.train_rows.size());
    r.seconds += t.epochs[0].seconds;
  }
  return r;
}

// The one-epoch trial `b` describes.
absl::StatusOr<trainer::TrialConfig> BenchConfig(const BenchOptions& b) {
  Value::List hidden;
  for (int w : b.hidden) hidden.emplace_back(w);
  const Params params = {{"hidden", Value(std::move(hidden))}, {"batch_size", b.batch}, {"optimizer", b.optimizer},
                         {"activation", b.activation}, {"init", "he_normal"}, {"preprocess", "none"},
                         {"epochs", 1}};
  return trainer::ParseTrialConfig(params);
}

// Samples/s of `b.threads` trainers at once (their total) with `b`'s network.
absl::StatusOr<double> Throughput(const BenchOptions& b, const data::Dataset& d) {
  auto config = BenchConfig(b);
  if (!config.ok()) return config.status();
  std::vector<SlotResult> results(b.threads);
  std::vector<std::thread> threads;
  for (int t = 0; t < b.threads; ++t)
    threads.emplace_back([&, t] { results[t] = RunSlot(*config, d, b.seconds, t); });
  for (auto& t : threads) t.join();
  double sps = 0;
  for (const auto& r : results)
    if (r.seconds > 0) sps += r.samples / r.seconds;
  return sps;
}

int RunBenchTable(const BenchOptions& b, std::ostream& out, std::ostream& err) {
  const data::Dataset d = SyntheticImages(b.samples, 42);
  std::string net = "784";
  for (int w : b.hidden) net += "-" + std::to_string(w);
  out << "network " << net << "-10, " << b.activation << ", " << b.samples << " samples per epoch, isa "
      << CompiledIsa() << "; per trainer: samples/s, GEMM ceiling, fraction\n";
  char line[160];
  std::snprintf(line, sizeof line, "%-9s %5s | %10s %10s %6s | %10s %10s %6s\n", "optimizer", "batch", "1 thread",
                "ceiling", "", "2 threads", "ceiling", "");
  out << line;
  for (int batch : {32, 64, 128}) {
    const double ceiling1 = trainer::GemmCeiling(b.hidden, batch, 1, b.seconds);
    const double ceiling2 = trainer::GemmCeiling(b.hidden, batch, 2, b.seconds);
    for (const char* opt : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"}) {
      BenchOptions one = b;
      one.batch = batch;
      one.optimizer = opt;
      one.threads = 1;
      BenchOptions two = one;
      two.threads = 2;
      auto s1 = Throughput(one, d);
      auto s2 = Throughput(two, d);
      if (!s1.ok() || !s2.ok()) {
        err << "error: " << (s1.ok() ? s2.status() : s1.status()).message() << "\n";
        return 2;
      }
      const double per2 = *s2 / 2;
      std::snprintf(line, sizeof line, "%-9s %5d | %10.0f %10.0f %5.0f%% | %10.0f %10.0f %5.0f%%\n", opt, batch, *s1,
                    ceiling1, 100 * *s1 / ceiling1, per2, ceiling2, 100 * per2 / ceiling2);
      out << line << std::flush;
    }
  }
  return 0;
}

}  // namespace

int RunBenchCommand(const BenchOptions& b, std::ostream& out, std::ostream& err) {
  if (b.all) {
    if (b.seconds <= 0 || b.samples < 128) {
      err << "error: --seconds > 0 and --samples >= 128 required\n";
      return 2;
    }
    return RunBenchTable(b, out, err);
  }
  auto config = BenchConfig(b);
  if (!config.ok()) {
    err << "error: " << config.status().message() << "\n";
    return 2;
  }
  if (b.threads < 1 || b.seconds <= 0 || b.samples < b.batch) {
    err << "error: --threads >= 1, --seconds > 0 and --samples >= --batch required\n";
    return 2;
  }
  const data::Dataset d = SyntheticImages(b.samples, 42);
  auto measured = Throughput(b, d);
  if (!measured.ok()) {
    err << "error: " << measured.status().message() << "\n";
    return 2;
  }
  const double sps = *measured;
  const double flops = trainer::TrainFlopsPerSample(*config, 784, 10);
  nlohmann::json j = {{"hidden", b.hidden},
                      {"batch", b.batch},
                      {"optimizer", b.optimizer},
                      {"threads", b.threads},
                      {"samples_per_sec", std::round(sps)},
                      {"gflops", std::round(sps * flops / 1e8) / 10},
                      {"mflop_per_sample", std::round(flops / 1e4) / 100},
                      {"isa", CompiledIsa()}};
  out << j.dump() << "\n";
  return sps > 0 ? 0 : 1;
}

}  // namespace hpsearch::commands
