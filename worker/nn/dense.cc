#include "worker/nn/dense.h"

#include <algorithm>

#include "worker/nn/cblas.h"
#include "worker/nn/gemm_row_unit.h"

namespace hpsearch::nn {

namespace {

using cblas::kNoTrans, cblas::kRowMajor, cblas::kTrans;

int Rows(Eigen::Index r) { return static_cast<int>(r); }

// Rows [begin, end) of block `k` of `blocks` over `rows`: the first block ends at
// the multiple of GemmRowUnit() nearest half.
std::pair<int, int> Block(int k, int blocks, int rows) {
  if (blocks == 1) return {0, rows};
  const int unit = GemmRowUnit();
  const int half = std::max(unit, (rows / 2 + unit / 2) / unit * unit);
  return k == 0 ? std::pair{0, half} : std::pair{half, rows};
}

// c[begin:end, :] = op(a)·op(b) for a row-major c of `cols` columns; `a` is the
// whole left operand (its rows, or its columns when transposed, are picked here).
// The rows are zeroed here and the product added with beta = 1: OpenBLAS would
// otherwise clear them with its generic beta pass, which on these shapes costs more
// than a plain vector fill (the same numbers: the kernels add the product to zero
// either way).
void Gemm(int trans_a, int trans_b, int begin, int end, int cols, int k, const float* a, int lda, const float* b,
          int ldb, float* c) {
  float* rows = c + static_cast<std::ptrdiff_t>(begin) * cols;
  std::fill_n(rows, static_cast<std::ptrdiff_t>(end - begin) * cols, 0.0f);
  const float* a_rows = trans_a == kNoTrans ? a + static_cast<std::ptrdiff_t>(begin) * lda : a + begin;
  cblas_sgemm(kRowMajor, trans_a, trans_b, end - begin, cols, k, 1.0f, a_rows, lda, b, ldb, 1.0f, rows, cols);
}

}  // namespace

int ProductBlocks(Eigen::Index batch, Eigen::Index rows, Eigen::Index cols, const StepThreads& threads) {
  if (!threads.parallel() || batch < kMinParallelBatch || cols < 128) return 1;
  const int unit = GemmRowUnit();
  return unit > 0 && rows >= 2 * unit ? 2 : 1;
}

void DenseForward(ConstMatrixMap x, ConstMatrixMap w, ConstRowVectorMap b, MatrixMap z, const StepThreads& threads) {
  const int n = Rows(x.rows()), in = Rows(x.cols()), out = Rows(w.cols());
  const int blocks = ProductBlocks(n, n, out, threads);
  threads.For(blocks, [&](int k) {
    const auto [begin, end] = Block(k, blocks, n);
    // z[begin:end, :] = x[begin:end, :] · w + b
    Gemm(kNoTrans, kNoTrans, begin, end, out, in, x.data(), in, w.data(), out, z.data());
    z.middleRows(begin, end - begin).rowwise() += b;
  });
}

void DenseBackward(ConstMatrixMap x, ConstMatrixMap w, ConstMatrixMap dz, MatrixMap dw, RowVectorMap db, MatrixMap* dx,
                   const StepThreads& threads) {
  const int n = Rows(x.rows()), in = Rows(x.cols()), out = Rows(w.cols());
  // dW's blocks split its rows (x's columns), dX's its rows (the batch's); db goes
  // whole with dW's first block.
  const int w_blocks = ProductBlocks(n, in, out, threads);
  const int x_blocks = dx != nullptr ? ProductBlocks(n, n, in, threads) : 0;
  threads.For(w_blocks + x_blocks, [&](int k) {
    if (k < w_blocks) {
      const auto [begin, end] = Block(k, w_blocks, in);
      // dw[begin:end, :] = x[:, begin:end]ᵀ · dz
      Gemm(kTrans, kNoTrans, begin, end, out, n, x.data(), in, dz.data(), out, dw.data());
      if (k == 0) db = dz.colwise().sum();
      return;
    }
    const auto [begin, end] = Block(k - w_blocks, x_blocks, n);
    // dx[begin:end, :] = dz[begin:end, :] · wᵀ
    Gemm(kNoTrans, kTrans, begin, end, in, out, dz.data(), out, w.data(), out, dx->data());
  });
}

}  // namespace hpsearch::nn
