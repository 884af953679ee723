#include "worker/commands/bench_command.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "absl/status/statusor.h"
#include "common/util/rng.h"
#include "nlohmann/json.hpp"
#include "worker/nn/dnnl_conv2d.h"
#include "worker/runtime/step_parallelism.h"
#include "worker/trainer/gemm_ceiling.h"
#include "worker/trainer/trainer.h"

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

std::vector<std::string> BenchCnnLayers() {
  return {"conv filters=32 kernel=3 padding=same", "pool max=2", "conv filters=64 kernel=3 padding=same", "pool max=2"};
}

namespace {

data::Dataset SyntheticImages(int n, uint64_t seed, bool image) {
  data::Dataset d;
  d.name = "bench";
  if (image) {
    d.image_channels = 1;
    d.image_height = 28;
    d.image_width = 28;
  }
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
SlotResult RunSlot(const trainer::TrialConfig& c, const data::Dataset& d, double seconds, int slot,
                   runtime::StepParallelism* parallel) {
  SlotResult r;
  trainer::TrainOptions o;
  o.seed = static_cast<uint64_t>(slot) + 1;
  if (parallel) o.step_threads = [parallel] { return parallel->Threads(); };
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
  Params params = {{"hidden", Value(std::move(hidden))},
                   {"batch_size", b.batch},
                   {"optimizer", b.optimizer},
                   {"activation", b.activation},
                   {"init", "he_normal"},
                   {"preprocess", "none"},
                   {"epochs", 1}};
  if (!b.layers.empty()) {
    Value::List layers;
    for (const auto& l : b.layers) layers.emplace_back(l);
    for (int w : b.hidden) layers.emplace_back("dense " + std::to_string(w));
    params.erase("hidden");
    params["layers"] = Value(std::move(layers));
  }
  return trainer::ParseTrialConfig(params);
}

// Samples/s of `b.threads` trainers at once (their total) with `b`'s network.
absl::StatusOr<double> Throughput(const BenchOptions& b, const data::Dataset& d) {
  auto config = BenchConfig(b);
  if (!config.ok()) return config.status();
  std::vector<SlotResult> results(b.threads);
  std::vector<std::thread> threads;
  std::unique_ptr<runtime::StepParallelism> parallel;
  if (b.step_threads > 1) parallel = std::make_unique<runtime::StepParallelism>(b.step_threads);
  for (int t = 0; t < b.threads; ++t)
    threads.emplace_back([&, t] { results[t] = RunSlot(*config, d, b.seconds, t, parallel.get()); });
  for (auto& t : threads) t.join();
  double sps = 0;
  for (const auto& r : results)
    if (r.seconds > 0) sps += r.samples / r.seconds;
  return sps;
}

int RunBenchTable(const BenchOptions& b, std::ostream& out, std::ostream& err) {
  const data::Dataset d = SyntheticImages(b.samples, 42, false);
  std::string net = "784";
  for (int w : b.hidden) net += "-" + std::to_string(w);
  // On a shared machine a run can lose a third of its speed to a neighbour, for a
  // second or for minutes: every figure is the median of kRounds runs, and the ceiling
  // of a batch size (the same work for every optimizer) is measured before each
  // trainer run of that batch, in the same rounds, and the median of all those
  // measurements divides every row of the batch. Medians on both sides: a best of
  // the ceiling's 35 against a best of the trainer's 5 would be biased against the
  // trainer by the noise alone.
  constexpr int kRounds = 5;
  const std::vector<std::string> optimizers = {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"};
  out << "network " << net << "-10, " << b.activation << ", " << b.samples << " samples per epoch, isa "
      << CompiledIsa() << "; per trainer: samples/s (median of " << kRounds
      << " runs), the GEMM ceiling of the same products (median of the " << kRounds * optimizers.size()
      << " measured between the batch's runs), the fraction; two trainers at once: each, and each against one alone\n";
  char line[200];
  std::snprintf(line, sizeof line, "%-9s %5s | %9s %9s %5s | %9s %9s %5s %8s\n", "optimizer", "batch", "1 thread",
                "ceiling", "", "2 threads", "ceiling", "", "vs alone");
  out << line;
  const double slice = b.seconds / kRounds;
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t h = v.size() / 2;
    return v.size() % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
  };
  for (int batch : {32, 64, 128}) {
    std::vector<double> ceiling1, ceiling2;
    std::vector<std::vector<double>> runs1(optimizers.size()), runs2(optimizers.size());
    for (int round = 0; round < kRounds; ++round) {
      for (std::size_t o = 0; o < optimizers.size(); ++o) {
        BenchOptions one = b;
        one.batch = batch;
        one.optimizer = optimizers[o];
        one.threads = 1;
        one.seconds = slice;
        BenchOptions two = one;
        two.threads = 2;
        ceiling1.push_back(trainer::GemmCeiling(b.hidden, batch, 1, slice));
        auto r1 = Throughput(one, d);
        ceiling2.push_back(trainer::GemmCeiling(b.hidden, batch, 2, slice));
        auto r2 = Throughput(two, d);
        if (!r1.ok() || !r2.ok()) {
          err << "error: " << (r1.ok() ? r2.status() : r1.status()).message() << "\n";
          return 2;
        }
        runs1[o].push_back(*r1);
        runs2[o].push_back(*r2 / 2);
      }
    }
    const double c1 = median(ceiling1), c2 = median(ceiling2);
    for (std::size_t o = 0; o < optimizers.size(); ++o) {
      const double s1 = median(runs1[o]), s2 = median(runs2[o]);
      std::snprintf(line, sizeof line, "%-9s %5d | %9.0f %9.0f %4.0f%% | %9.0f %9.0f %4.0f%% %7.0f%%\n",
                    optimizers[o].c_str(), batch, s1, c1, 100 * s1 / c1, s2, c2, 100 * s2 / c2, 100 * s2 / s1);
      out << line;
    }
    out << std::flush;
  }
  return 0;
}

}  // namespace

int RunBenchCommand(const BenchOptions& b, std::ostream& out, std::ostream& err) {
  if (b.all) {
    if (!b.layers.empty()) {
      err << "error: --all measures the dense net against its GEMM ceiling; give --cnn or --layers without it\n";
      return 2;
    }
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
  if (b.threads < 1 || b.step_threads < 1 || b.step_threads > 64 || b.seconds <= 0 || b.samples < b.batch) {
    err << "error: --threads >= 1, --step-threads in 1..64, --seconds > 0 and --samples >= --batch required\n";
    return 2;
  }
  const data::Dataset d = SyntheticImages(b.samples, 42, !b.layers.empty());
  auto measured = Throughput(b, d);
  if (!measured.ok()) {
    err << "error: " << measured.status().message() << "\n";
    return 2;
  }
  const double sps = *measured;
  const double flops = b.layers.empty() ? trainer::TrainFlopsPerSample(*config, 784, 10)
                                        : trainer::TrainFlopsPerSample(*config, nn::ImageShape{1, 28, 28}, 10);
  nlohmann::json j = {{"hidden", b.hidden},
                      {"batch", b.batch},
                      {"optimizer", b.optimizer},
                      {"threads", b.threads},
                      {"step_threads", b.step_threads},
                      {"samples_per_sec", std::round(sps)},
                      {"gflops", std::round(sps * flops / 1e8) / 10},
                      {"mflop_per_sample", std::round(flops / 1e4) / 100},
                      {"isa", CompiledIsa()}};
  if (!b.layers.empty()) {
    j["layers"] = b.layers;
    j["conv_kernels"] = nn::DnnlConv2d::Enabled() ? "onednn from 8 input channels, else im2col" : "im2col";
  }
  out << j.dump() << "\n";
  return sps > 0 ? 0 : 1;
}

}  // namespace hpsearch::commands
