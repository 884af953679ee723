// A fully connected layer: Z = X·W + b.
//   X: n x in, W: in x out, b: 1 x out, Z: n x out.
//
// The products are SGEMM calls (OpenBLAS) that write their result outright (no
// zero-fill first), each split into column blocks of its result by ColumnBlocks —
// a function of the shape alone, so the numbers are the same whether the blocks run
// one after the other or at once (StepThreads).
#pragma once

#include "nn/step_threads.h"
#include "nn/tensor.h"

namespace hpsearch::nn {

// How many column blocks a product with a `rows` x `cols` result is computed in: 2
// from 64 rows and 128 columns (two threads share it well; smaller ones run faster
// whole on one), else 1.
int ColumnBlocks(Eigen::Index rows, Eigen::Index cols);

// Z = X·W + 1·b.
void DenseForward(ConstMatrixMap x, ConstMatrixMap w, ConstRowVectorMap b, MatrixMap z,
                  const StepThreads& threads = {});

// dW = Xᵀ·dZ, db = Σ_rows dZ (both overwritten). When `dx` is non-null,
// dX = dZ·Wᵀ (the first layer skips it: nobody needs the input's gradient).
void DenseBackward(ConstMatrixMap x, ConstMatrixMap w, ConstMatrixMap dz, MatrixMap dw,
                   RowVectorMap db, MatrixMap* dx, const StepThreads& threads = {});

}  // namespace hpsearch::nn
