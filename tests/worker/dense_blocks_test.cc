// A dense layer's products in row blocks (nn/dense.h): the SGEMM calls and their
// transposes against a plain double-precision reference, for shapes on both sides of
// the blocking rule, and the same bits whole on one thread as split over two; the row
// unit the split relies on (nn/gemm_row_unit.h) against random shapes.
#include <gtest/gtest.h>

#include <random>

#include "tests/testing/step_threads.h"
#include "worker/nn/cblas.h"
#include "worker/nn/dense.h"
#include "worker/nn/gemm_row_unit.h"

namespace hpsearch::nn {
namespace {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Matrix Random(int rows, int cols, std::mt19937& g) {
  std::uniform_real_distribution<float> u(-1, 1);
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = u(g);
  return m;
}

StepThreads Parallel() { return testing::ThreadedSteps(); }
StepThreads InOrder() { return testing::InOrderSteps(); }

struct Results {
  Matrix z, dw, dx;
  RowVector db;
};

Results Layer(const Matrix& x, const Matrix& w, const RowVector& b, const Matrix& dz, const StepThreads& threads) {
  Results r{Matrix(x.rows(), w.cols()), Matrix(w.rows(), w.cols()), Matrix(x.rows(), x.cols()), RowVector(w.cols())};
  // Garbage in the outputs: every product must overwrite, not accumulate.
  r.z.setConstant(7);
  r.dw.setConstant(7);
  r.dx.setConstant(7);
  r.db.setConstant(7);
  DenseForward(ConstMatrixMap(x.data(), x.rows(), x.cols()), ConstMatrixMap(w.data(), w.rows(), w.cols()),
               ConstRowVectorMap(b.data(), b.size()), MatrixMap(r.z.data(), r.z.rows(), r.z.cols()), threads);
  MatrixMap dx(r.dx.data(), r.dx.rows(), r.dx.cols());
  DenseBackward(ConstMatrixMap(x.data(), x.rows(), x.cols()), ConstMatrixMap(w.data(), w.rows(), w.cols()),
                ConstMatrixMap(dz.data(), dz.rows(), dz.cols()), MatrixMap(r.dw.data(), r.dw.rows(), r.dw.cols()),
                RowVectorMap(r.db.data(), r.db.size()), &dx, threads);
  return r;
}

double MaxError(const Matrix& got, const MatrixD& want) {
  return (got.cast<double>() - want).cwiseAbs().maxCoeff() / std::max(1.0, want.cwiseAbs().maxCoeff());
}

TEST(DenseBlocks, ProductsMatchAReferenceAndDoNotDependOnTheThreads) {
  std::mt19937 g(3);
  for (int n : {1, 17, 63, 64, 100, 128}) {
    for (int in : {3, 130, 784}) {
      for (int out : {10, 127, 128, 200, 256}) {
        const Matrix x = Random(n, in, g), w = Random(in, out, g), dz = Random(n, out, g);
        const RowVector b = Random(1, out, g);
        const Results serial = Layer(x, w, b, dz, StepThreads{});
        const MatrixD xd = x.cast<double>(), wd = w.cast<double>(), dzd = dz.cast<double>();
        MatrixD z = xd * wd;
        z.rowwise() += b.cast<double>();
        const std::string shape = std::to_string(n) + "x" + std::to_string(in) + "x" + std::to_string(out);
        EXPECT_LT(MaxError(serial.z, z), 1e-5) << shape;
        EXPECT_LT(MaxError(serial.dw, xd.transpose() * dzd), 1e-5) << shape;
        EXPECT_LT(MaxError(serial.dx, dzd * wd.transpose()), 1e-5) << shape;
        EXPECT_LT((serial.db.cast<double>() - dzd.colwise().sum()).cwiseAbs().maxCoeff(), 1e-4) << shape;
        const Results parallel = Layer(x, w, b, dz, Parallel());
        EXPECT_TRUE(parallel.z == serial.z && parallel.dw == serial.dw && parallel.dx == serial.dx &&
                    parallel.db == serial.db)
            << shape << ": the blocks on two threads changed the numbers (row unit " << GemmRowUnit() << ")";
        // And in order on one thread that offers a second (the blocks, not the threads).
        const Results in_order = Layer(x, w, b, dz, InOrder());
        EXPECT_TRUE(in_order.z == serial.z && in_order.dw == serial.dw && in_order.dx == serial.dx) << shape;
      }
    }
  }
}

TEST(DenseBlocks, OneThreadComputesEveryProductWhole) {
  for (int rows : {64, 128, 784})
    for (int cols : {128, 256}) EXPECT_EQ(ProductBlocks(128, rows, cols, StepThreads{}), 1);
}

TEST(DenseBlocks, TwoThreadsSplitLargeProductsOnly) {
  const int unit = GemmRowUnit();
  if (unit == 0) GTEST_SKIP() << "this machine's SGEMM splits no product exactly: steps stay whole";
  const StepThreads two = Parallel();
  EXPECT_EQ(ProductBlocks(64, 64, 128, two), 64 >= 2 * unit ? 2 : 1);
  EXPECT_EQ(ProductBlocks(128, 784, 256, two), 2);
  EXPECT_EQ(ProductBlocks(63, 784, 256, two), 1);   // small batches run faster whole
  EXPECT_EQ(ProductBlocks(128, 784, 127, two), 1);  // so do narrow results
  EXPECT_EQ(ProductBlocks(128, 128, 10, two), 1);
  EXPECT_EQ(ProductBlocks(128, 2 * unit - 1, 256, two), 1);
}

// The probe tried a few shapes; the unit it found must hold for any: random shapes,
// every transpose, split at a random multiple of the unit, compared bit for bit.
TEST(GemmRowUnit, SplitsAnyShapeExactly) {
  const int unit = GemmRowUnit();
  EXPECT_TRUE(unit == 0 || unit == 4 || unit == 8 || unit == 12 || unit == 16 || unit == 24 || unit == 32 ||
              unit == 48 || unit == 96)
      << unit;
  if (unit == 0) GTEST_SKIP() << "no exact row split on this machine";
  std::mt19937 g(7);
  std::uniform_int_distribution<int> rows(unit + 1, 300), inner(1, 900), cols(1, 300);
  int differ = 0;
  for (int t = 0; t < 400; ++t) {
    const int m = rows(g), k = inner(g), n = cols(g);
    const bool a_t = t % 2, b_t = (t / 2) % 2;  // every combination of transposes
    const int ta = a_t ? cblas::kTrans : cblas::kNoTrans, tb = b_t ? cblas::kTrans : cblas::kNoTrans;
    const int lda = a_t ? m : k, ldb = b_t ? k : n;
    const Matrix a = a_t ? Random(k, m, g) : Random(m, k, g), b = b_t ? Random(n, k, g) : Random(k, n, g);
    Matrix whole = Matrix::Zero(m, n), split = Matrix::Zero(m, n);
    auto rows_of = [&](Matrix& c, int begin, int end) {  // c[begin:end, :] in one call
      const float* a_rows = a_t ? a.data() + begin : a.data() + static_cast<std::ptrdiff_t>(begin) * k;
      cblas_sgemm(cblas::kRowMajor, ta, tb, end - begin, n, k, 1, a_rows, lda, b.data(), ldb, 1,
                  c.data() + static_cast<std::ptrdiff_t>(begin) * n, n);
    };
    rows_of(whole, 0, m);
    const int at = unit * std::uniform_int_distribution<int>(1, (m - 1) / unit)(g);
    rows_of(split, 0, at);
    rows_of(split, at, m);
    if (whole != split) {
      ++differ;
      ADD_FAILURE() << m << "x" << k << "x" << n << " transposes " << a_t << b_t << " split at " << at;
    }
  }
  EXPECT_EQ(differ, 0);
}

}  // namespace
}  // namespace hpsearch::nn
