// The one OpenBLAS entry point the trainer calls, declared here (cblas.h's enums as
// their values) rather than through the package's cblas.h, whose directory differs
// between OpenBLAS builds.
#pragma once

extern "C" {
void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a, int lda,
                 const float* b, int ldb, float beta, float* c, int ldc);
}

namespace hpsearch::nn::cblas {

inline constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

}  // namespace hpsearch::nn::cblas
