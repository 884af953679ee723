// Spare cores for a trial's training steps (nn/step_threads.h), on a oneTBB arena:
// the trainer hands its row blocks to Threads(), and the arena's threads take
// them. The slot pool lends it to a trial while that trial runs alone on it (the
// tail of a sweep); `hpsearch-worker bench --step-threads` measures it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include <oneapi/tbb/task_arena.h>

#include "worker/nn/step_threads.h"

namespace hpsearch::runtime {

class StepParallelism {
 public:
  // `threads` >= 2: the caller and threads - 1 of oneTBB's workers.
  explicit StepParallelism(int threads);

  int threads() const { return threads_; }
  nn::StepThreads Threads();
  // Block sets handed to the arena so far (each a product split over the threads).
  int64_t runs() const { return runs_.load(); }

 private:
  int threads_;
  std::unique_ptr<tbb::task_arena> arena_;
  std::atomic<int64_t> runs_{0};
};

}  // namespace hpsearch::runtime
