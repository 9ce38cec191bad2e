// The one place that knows which BLAS the engine links: Accelerate on macOS, OpenBLAS elsewhere, and in
// WebAssembly (no BLAS there) the hand-written SIMD128 products of sgemm-simd128.cpp.
#pragma once

#if defined(__EMSCRIPTEN__)
// no BLAS header: sgemm and sgemv are defined in sgemm-simd128.cpp
#elif defined(CONTINUUM_ACCELERATE)
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

namespace continuum {

#if defined(__EMSCRIPTEN__)

inline void blas_use_one_thread() {}

// C[M, N] = alpha * op(A) op(B) + beta * C, all row-major, on the calling thread.
void sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
           int ldb, float beta, float* C, int ldc);
// y = alpha * op(A) x + beta * y; A: [M, N] row-major (row stride lda), unit strides for x and y.
void sgemv(bool trans, int M, int N, float alpha, const float* A, int lda, const float* x, float beta, float* y);

#else

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

// y = alpha * op(A) x + beta * y; A: [M, N] row-major (row stride lda), unit strides for x and y.
inline void sgemv(bool trans, int M, int N, float alpha, const float* A, int lda, const float* x, float beta,
                  float* y) {
  cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, M, N, alpha, A, lda, x, 1, beta, y, 1);
}

#endif

}  // namespace continuum
