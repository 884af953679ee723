// A fully connected layer: Z = X·W + b.
//   X: n x in, W: in x out, b: 1 x out, Z: n x out.
#pragma once

#include "nn/tensor.h"

namespace hpsearch::nn {

// Z = X·W + 1·b.
void DenseForward(ConstMatrixMap x, ConstMatrixMap w, ConstRowVectorMap b, MatrixMap z);

// dW = Xᵀ·dZ, db = Σ_rows dZ (both overwritten). When `dx` is non-null,
// dX = dZ·Wᵀ (the first layer skips it: nobody needs the input's gradient).
void DenseBackward(ConstMatrixMap x, ConstMatrixMap w, ConstMatrixMap dz, MatrixMap dw,
                   RowVectorMap db, MatrixMap* dx);

}  // namespace hpsearch::nn
