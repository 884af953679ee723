// More than one thread for one trial's training step. Given a ParallelFor, a step's
// large matrix products are split into row blocks that run at once, split only at
// rows where the kernels give the same bits as the whole product (nn/dense.h,
// nn/gemm_row_unit.h), so the numbers never depend on how many threads computed
// them. The trainer stays free of any threading library: the worker
// runtime supplies the ParallelFor (oneTBB) when a core is idle, e.g. in the tail of
// a sweep, when fewer trials run than there are slots.
#pragma once

#include <cstdint>
#include <functional>
#include <numeric>
#include <utility>

#include "absl/functional/function_ref.h"

namespace hpsearch::nn {

// The smallest batch whose step is shared with a second core: handing a smaller
// step's products and update to it costs more than it saves (bench --step-threads).
inline constexpr int kMinParallelBatch = 64;

class StepThreads {
 public:
  // Runs body(0), ..., body(n - 1), possibly at once; returns when all have. (A
  // FunctionRef: handing the blocks over allocates nothing.)
  using ParallelFor = std::function<void(int n, absl::FunctionRef<void(int)> body)>;

  StepThreads() = default;  // one thread: in order, on the caller's
  explicit StepThreads(ParallelFor parallel_for) : parallel_for_(std::move(parallel_for)) {}

  bool parallel() const { return static_cast<bool>(parallel_for_); }

  void For(int n, absl::FunctionRef<void(int)> body) const {
    if (!parallel_for_ || n <= 1) {
      for (int i = 0; i < n; ++i) body(i);
      return;
    }
    parallel_for_(n, body);
  }

  // body(begin, end) over rows [0, n) of `row_floats` floats each: two blocks at once
  // given threads and at least kMinParallelBatch rows, else all rows in one call.
  // For work done element by element: the second block starts 64 bytes (16 floats)
  // past an aligned buffer's start, so Eigen's vectorised loops take the same path
  // (packet or scalar) for every element as over the whole, and the numbers do not
  // depend on the split.
  void ForRows(int64_t n, int64_t row_floats, absl::FunctionRef<void(int64_t begin, int64_t end)> body) const {
    const int64_t unit = 16 / std::gcd(row_floats, int64_t{16});  // rows per 16 floats
    const int64_t split = (n / 2 + unit / 2) / unit * unit;
    if (!parallel() || n < kMinParallelBatch || split <= 0 || split >= n) {
      body(0, n);
      return;
    }
    For(2, [&](int k) { k == 0 ? body(0, split) : body(split, n); });
  }

 private:
  ParallelFor parallel_for_;
};

}  // namespace hpsearch::nn
