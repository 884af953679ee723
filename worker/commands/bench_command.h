// `hpsearch-worker bench`: training throughput on synthetic 784-feature, 10-class
// data (Fashion-MNIST's shape: 1×28×28 images for a conv net), as one JSON object.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hpsearch::commands {

struct BenchOptions {
  std::vector<int> hidden = {256, 128};
  // Conv and pool layers before the dense ones, as the `layers` setting writes them
  // ("conv filters=32 kernel=3 padding=same", "pool max=2"): the data are then
  // 1×28×28 images. --cnn: the net of ../shared/bench/torch_cnn.py.
  std::vector<std::string> layers;
  int batch = 128;
  std::string optimizer = "adam";
  std::string activation = "relu";
  // Independent trainers run at once (one per slot, like the scheduler's pool);
  // samples_per_sec is their total.
  int threads = 1;
  // Threads each trainer's steps may use (runtime/step_parallelism.h): 1, or 2 as a
  // lone trial in the tail of a sweep gets.
  int step_threads = 1;
  double seconds = 5;
  int samples = 54000;  // rows of the synthetic training set
  // The whole table instead: every optimizer × batch 32/64/128 × one and two
  // trainers at once, each as a fraction of its GEMM ceiling (trainer::GemmCeiling).
  bool all = false;
};

// The benchmark CNN (issue 29; PyTorch's twin: torch_cnn.py): conv 32 3×3 same, max pool
// 2, conv 64 3×3 same, max pool 2, then `hidden` {128}.
std::vector<std::string> BenchCnnLayers();

// The instruction set the trainer was compiled for, e.g. "avx2+fma".
std::string CompiledIsa();

int RunBenchCommand(const BenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace hpsearch::commands
