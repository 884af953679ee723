// A dense layer's products in column blocks (nn/dense.h): the SGEMM calls and their
// transposes against a plain double-precision reference, for shapes on both sides of
// the blocking rule, and the same bits whether the blocks run in order or at once.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "nn/dense.h"

namespace hpsearch::nn {
namespace {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Matrix Random(int rows, int cols, std::mt19937& g) {
  std::uniform_real_distribution<float> u(-1, 1);
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = u(g);
  return m;
}

// Blocks on threads of their own, as a spare core would take them.
StepThreads Parallel() {
  return StepThreads([](int n, absl::FunctionRef<void(int)> body) {
    std::vector<std::thread> t;
    for (int i = 1; i < n; ++i) t.emplace_back([body, i] { body(i); });
    body(0);
    for (auto& th : t) th.join();
  });
}

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
            << shape << ": the blocks on two threads changed the numbers";
      }
    }
  }
}

TEST(DenseBlocks, TheRuleDependsOnTheShapeOnly) {
  EXPECT_EQ(ColumnBlocks(64, 128), 2);
  EXPECT_EQ(ColumnBlocks(128, 784), 2);
  EXPECT_EQ(ColumnBlocks(63, 256), 1);  // small batches run faster whole
  EXPECT_EQ(ColumnBlocks(128, 127), 1);
  EXPECT_EQ(ColumnBlocks(128, 10), 1);
}

}  // namespace
}  // namespace hpsearch::nn
