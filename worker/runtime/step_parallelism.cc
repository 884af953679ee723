#include "worker/runtime/step_parallelism.h"

#include <algorithm>

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>

namespace hpsearch::runtime {

StepParallelism::StepParallelism(int threads)
    : threads_(std::max(2, threads)), arena_(std::make_unique<tbb::task_arena>(threads_, 1)) {}

nn::StepThreads StepParallelism::Threads() {
  tbb::task_arena* arena = arena_.get();
  std::atomic<int64_t>* runs = &runs_;
  return nn::StepThreads([arena, runs](int n, absl::FunctionRef<void(int)> body) {
    runs->fetch_add(1, std::memory_order_relaxed);
    // One task per block: the caller runs one, an idle worker the other.
    arena->execute([&] {
      tbb::parallel_for(
          0, n, 1, [&](int i) { body(i); }, tbb::simple_partitioner());
    });
  });
}

}  // namespace hpsearch::runtime
