// The one place that knows which BLAS the engine links: Accelerate on macOS, OpenBLAS elsewhere.
#pragma once

#if defined(CONTINUUM_ACCELERATE)
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

namespace continuum {

// The team owns the cores; each team thread calls BLAS single-threaded (see threads.h).
inline void blas_use_one_thread() {
#if !defined(CONTINUUM_ACCELERATE)
  openblas_set_num_threads(1);
#endif
}

// C[M, N] = alpha * op(A) op(B) + beta * C, all row-major, on the calling thread.
inline void sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
                  const float* B, int ldb, float beta, float* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, M, N, K,
              alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace continuum
