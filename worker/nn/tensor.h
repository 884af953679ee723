// Dense matrix types shared by the trainer. Everything is row-major float:
// a batch is (rows = samples) x (cols = features), weights are (fan_in x fan_out).
// Parameters and gradients live in flat buffers; layers see them through maps.
#pragma once

#include <Eigen/Core>

namespace hpsearch::nn {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using RowVectorMap = Eigen::Map<RowVector>;
using ConstRowVectorMap = Eigen::Map<const RowVector>;

inline ConstMatrixMap Const(const MatrixMap& m) { return {m.data(), m.rows(), m.cols()}; }

}  // namespace hpsearch::nn
