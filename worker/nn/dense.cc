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

}  // namespace

int ColumnBlocks(Eigen::Index rows, Eigen::Index cols) { return rows >= 64 && cols >= 128 ? 2 : 1; }

void DenseForward(ConstMatrixMap x, ConstMatrixMap w, ConstRowVectorMap b, MatrixMap z, const StepThreads& threads) {
  const int n = Rows(x.rows()), in = Rows(x.cols()), out = Rows(w.cols());
  const int blocks = ColumnBlocks(n, out);
  threads.For(blocks, [&](int k) {
    const auto [begin, end] = Block(k, blocks, out);
    if (end <= begin) return;
    // z[:, begin:end] = x · w[:, begin:end]
    cblas_sgemm(kRowMajor, kNoTrans, kNoTrans, n, end - begin, in, 1.0f, x.data(), in, w.data() + begin, out, 0.0f,
                z.data() + begin, out);
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
      cblas_sgemm(kRowMajor, kTrans, kNoTrans, in, end - begin, n, 1.0f, x.data(), in, dz.data() + begin, out, 0.0f,
                  dw.data() + begin, out);
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
    cblas_sgemm(kRowMajor, kNoTrans, kTrans, n, end - begin, out, 1.0f, dz.data(), out, w.data() + begin * out, out,
                0.0f, dx->data() + begin, in);
  });
}

}  // namespace hpsearch::nn
