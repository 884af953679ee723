#include "nn/dense.h"

#include <algorithm>

extern "C" {
// OpenBLAS's CBLAS entry point (cblas.h's enums as their values).
void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a, int lda,
                 const float* b, int ldb, float beta, float* c, int ldc);
}

namespace hpsearch::nn {

namespace {

constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

// Columns [begin, end) of block `k` of `blocks` over `cols` (block edges on multiples
// of 16, the kernels' vector width several times over).
std::pair<int, int> Block(int k, int blocks, int cols) {
  if (blocks == 1) return {0, cols};
  const int step = std::max(16, (cols / blocks + 15) / 16 * 16);
  const int begin = std::min(cols, k * step);
  const int end = k + 1 == blocks ? cols : std::min(cols, (k + 1) * step);
  return {begin, end};
}

int Rows(Eigen::Index r) { return static_cast<int>(r); }

// c[:, begin:end] = a·b (row-major, leading dimension ldc), the block zeroed here and
// the product added with beta = 1: OpenBLAS would otherwise clear it with its
// generic beta pass, which on these shapes costs more than a plain vector fill (the
// same numbers: the kernels add the product to zero either way).
void Gemm(int trans_a, int trans_b, int m, int begin, int end, int k, const float* a, int lda, const float* b,
          int ldb, float* c, int ldc) {
  const int n = end - begin;
  for (int r = 0; r < m; ++r) std::fill_n(c + static_cast<std::ptrdiff_t>(r) * ldc + begin, n, 0.0f);
  cblas_sgemm(kRowMajor, trans_a, trans_b, m, n, k, 1.0f, a, lda, b, ldb, 1.0f, c + begin, ldc);
}

}  // namespace

int ColumnBlocks(Eigen::Index rows, Eigen::Index cols) { return rows >= 64 && cols >= 128 ? 2 : 1; }

void DenseForward(ConstMatrixMap x, ConstMatrixMap w, ConstRowVectorMap b, MatrixMap z, const StepThreads& threads) {
  const int n = Rows(x.rows()), in = Rows(x.cols()), out = Rows(w.cols());
  const int blocks = ColumnBlocks(n, out);
  threads.For(blocks, [&](int k) {
    const auto [begin, end] = Block(k, blocks, out);
    if (end <= begin) return;
    // z[:, begin:end] = x · w[:, begin:end]
    Gemm(kNoTrans, kNoTrans, n, begin, end, in, x.data(), in, w.data() + begin, out, z.data(), out);
    if (blocks == 1) {
      z.rowwise() += b;  // whole rows: Eigen's fastest traversal
    } else {
      z.middleCols(begin, end - begin).rowwise() += b.segment(begin, end - begin);
    }
  });
}

void DenseBackward(ConstMatrixMap x, ConstMatrixMap w, ConstMatrixMap dz, MatrixMap dw, RowVectorMap db,
                   MatrixMap* dx, const StepThreads& threads) {
  const int n = Rows(x.rows()), in = Rows(x.cols()), out = Rows(w.cols());
  // dW's and db's blocks split dZ's columns; dX's split W's rows (its result's columns).
  const int w_blocks = ColumnBlocks(n, out);
  const int x_blocks = dx != nullptr ? ColumnBlocks(n, in) : 0;
  threads.For(w_blocks + x_blocks, [&](int k) {
    if (k < w_blocks) {
      const auto [begin, end] = Block(k, w_blocks, out);
      if (end <= begin) return;
      // dw[:, begin:end] = xᵀ · dz[:, begin:end]
      Gemm(kTrans, kNoTrans, in, begin, end, n, x.data(), in, dz.data() + begin, out, dw.data(), out);
      if (w_blocks == 1) {
        db = dz.colwise().sum();
      } else {
        db.segment(begin, end - begin) = dz.middleCols(begin, end - begin).colwise().sum();
      }
      return;
    }
    const auto [begin, end] = Block(k - w_blocks, x_blocks, in);
    if (end <= begin) return;
    // dx[:, begin:end] = dz · w[begin:end, :]ᵀ
    Gemm(kNoTrans, kTrans, n, begin, end, out, dz.data(), out, w.data() + begin * out, out, dx->data(), in);
  });
}

}  // namespace hpsearch::nn
