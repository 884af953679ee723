// A fully connected layer: Z = X·W + b.
//   X: n x in, W: in x out, b: 1 x out, Z: n x out.
//
// The products are SGEMM calls (OpenBLAS), each whole on one thread. When the step
// has a second core (StepThreads), the large ones are split into two row blocks of
// their result at a multiple of GemmRowUnit() — the rows at which this machine's
// kernels give the same bits split as whole — so the numbers are the same whether a
// trial ran alone on two cores or beside others on one.
#pragma once

#include "worker/nn/step_threads.h"
#include "worker/nn/tensor.h"

namespace hpsearch::nn {

// How many row blocks a product with a `rows` x `cols` result, in a step of `batch`
// rows, is computed in: 2 when the step has a second core, from a batch of
// kMinParallelBatch (64) and 128 columns (smaller ones run faster whole) and two
// units of rows, else 1.
int ProductBlocks(Eigen::Index batch, Eigen::Index rows, Eigen::Index cols, const StepThreads& threads);

// Z = X·W + 1·b.
void DenseForward(ConstMatrixMap x, ConstMatrixMap w, ConstRowVectorMap b, MatrixMap z,
                  const StepThreads& threads = {});

// dW = Xᵀ·dZ, db = Σ_rows dZ (both overwritten). When `dx` is non-null,
// dX = dZ·Wᵀ (the first layer skips it: nobody needs the input's gradient).
void DenseBackward(ConstMatrixMap x, ConstMatrixMap w, ConstMatrixMap dz, MatrixMap dw, RowVectorMap db, MatrixMap* dx,
                   const StepThreads& threads = {});

}  // namespace hpsearch::nn
