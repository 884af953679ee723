#include "worker/nn/gemm_row_unit.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "worker/nn/blas_threads.h"
#include "worker/nn/cblas.h"

namespace hpsearch::nn {

namespace {

using cblas::kNoTrans, cblas::kRowMajor, cblas::kTrans;

// Deterministic values in [-1, 1) (no <random>: the probe must not depend on a
// library's distribution, only on the SGEMM kernels).
std::vector<float> Values(std::size_t n, uint32_t seed) {
  std::vector<float> v(n);
  for (auto& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = static_cast<float>(seed >> 8) / 8388608.0f - 1.0f;
  }
  return v;
}

// C (m x n, row-major) = op(A)·op(B) with rows [begin, end) computed by one call.
void Rows(int ta, int tb, int m, int n, int k, const float* a, const float* b, int begin, int end, float* c) {
  const int lda = ta == kNoTrans ? k : m, ldb = tb == kNoTrans ? n : k;
  const float* a_rows = ta == kNoTrans ? a + static_cast<std::ptrdiff_t>(begin) * k : a + begin;
  cblas_sgemm(kRowMajor, ta, tb, end - begin, n, k, 1.0f, a_rows, lda, b, ldb, 1.0f,
              c + static_cast<std::ptrdiff_t>(begin) * n, n);
}

// Whether splitting products at multiples of `unit` rows keeps every bit.
bool SplitsExactly(int unit) {
  struct Shape {
    int ta, tb, k, n;
  };
  // The trainer's three kinds of product (X·W, Xᵀ·dZ, dZ·Wᵀ); inner dimensions below
  // and above OpenBLAS's K blocking, small ones on its small-matrix paths.
  const Shape shapes[] = {{kNoTrans, kNoTrans, 9, 37},  {kNoTrans, kNoTrans, 800, 130}, {kTrans, kNoTrans, 64, 37},
                          {kTrans, kNoTrans, 300, 130}, {kNoTrans, kTrans, 10, 130},    {kNoTrans, kTrans, 500, 37}};
  const int m = 4 * unit + 7;  // splits at 1..4 units, and a ragged last block
  uint32_t seed = 1;
  for (const Shape& s : shapes) {
    const std::vector<float> a = Values(static_cast<std::size_t>(m) * s.k, seed++);
    const std::vector<float> b = Values(static_cast<std::size_t>(s.k) * s.n, seed++);
    std::vector<float> whole(static_cast<std::size_t>(m) * s.n, 0.0f), split(whole.size());
    Rows(s.ta, s.tb, m, s.n, s.k, a.data(), b.data(), 0, m, whole.data());
    for (int at = unit; at < m; at += unit) {
      std::fill(split.begin(), split.end(), 0.0f);
      Rows(s.ta, s.tb, m, s.n, s.k, a.data(), b.data(), 0, at, split.data());
      Rows(s.ta, s.tb, m, s.n, s.k, a.data(), b.data(), at, m, split.data());
      if (std::memcmp(whole.data(), split.data(), whole.size() * sizeof(float)) != 0) return false;
    }
  }
  return true;
}

int Probe() {
  UseOneBlasThreadPerCall();
  for (int unit : {4, 8, 12, 16, 24, 32, 48, 96})
    if (SplitsExactly(unit)) return unit;
  return 0;
}

}  // namespace

int GemmRowUnit() {
  static const int unit = Probe();
  return unit;
}

}  // namespace hpsearch::nn
