#include "nn/dense.h"

namespace hpsearch::nn {

void DenseForward(ConstMatrixMap x, ConstMatrixMap w, ConstRowVectorMap b, MatrixMap z) {
  z.noalias() = x * w;
  z.rowwise() += b;
}

void DenseBackward(ConstMatrixMap x, ConstMatrixMap w, ConstMatrixMap dz, MatrixMap dw,
                   RowVectorMap db, MatrixMap* dx) {
  dw.noalias() = x.transpose() * dz;
  db = dz.colwise().sum();
  if (dx != nullptr) dx->noalias() = dz * w.transpose();
}

}  // namespace hpsearch::nn
