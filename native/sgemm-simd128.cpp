// sgemm for WebAssembly, where no BLAS exists: a blocked product over packed panels with a
// register-blocked SIMD128 micro-kernel (the BLIS scheme, shrunk to what one wasm core needs).
//
// C[M, N] = alpha op(A) op(B) + beta C, row-major. K is cut into blocks of KC, N into blocks of NC and
// M into blocks of MC; each block of op(B) is packed once into panels of NR = 8 columns ([KC, 8],
// contiguous), each block of op(A) into panels of MR = 4 rows ([KC, 4]), so the micro-kernel streams
// both with unit stride whatever the transposes. The 4 x 8 tile lives in 8 vector accumulators
// (+ 2 for B and 1 broadcast: fits the 16 SSE registers V8 maps wasm SIMD to). The summation order
// depends on the shapes only, never on threads: results are reproducible.
#if defined(__EMSCRIPTEN__)
#include <wasm_simd128.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "blas.h"

namespace continuum {
namespace {

constexpr int MR = 4, NR = 8;
constexpr int KC = 256, MC = 64, NC = 512;

// Per-thread packing buffers (each team thread multiplies on its own).
thread_local std::vector<float> packed_a, packed_b;

// Ap[p][k][r] = alpha * op(A)[i0 + p*MR + r][k0 + k], zero past the edge.     -> [ceil(mc/MR), kc, MR]
void pack_a(float* Ap, bool trans, const float* A, int lda, int i0, int mc, int k0, int kc, float alpha) {
  for (int p = 0; p < mc; p += MR) {
    const int rows = std::min(MR, mc - p);
    for (int k = 0; k < kc; k++) {
      float* dst = Ap + int64_t(p) * kc + int64_t(k) * MR;
      for (int r = 0; r < rows; r++) {
        const int i = i0 + p + r, kk = k0 + k;
        dst[r] = alpha * (trans ? A[int64_t(kk) * lda + i] : A[int64_t(i) * lda + kk]);
      }
      for (int r = rows; r < MR; r++) dst[r] = 0.0f;
    }
  }
}

// Bp[p][k][c] = op(B)[k0 + k][j0 + p*NR + c], zero past the edge.             -> [ceil(nc/NR), kc, NR]
void pack_b(float* Bp, bool trans, const float* B, int ldb, int j0, int nc, int k0, int kc) {
  for (int p = 0; p < nc; p += NR) {
    const int cols = std::min(NR, nc - p);
    float* panel = Bp + int64_t(p) * kc;
    if (!trans && cols == NR) {  // rows of B are contiguous: copy 8 at a time
      for (int k = 0; k < kc; k++) std::memcpy(panel + k * NR, B + int64_t(k0 + k) * ldb + j0 + p, sizeof(float) * NR);
      continue;
    }
    for (int k = 0; k < kc; k++) {
      float* dst = panel + k * NR;
      for (int c = 0; c < cols; c++) {
        const int j = j0 + p + c, kk = k0 + k;
        dst[c] = trans ? B[int64_t(j) * ldb + kk] : B[int64_t(kk) * ldb + j];
      }
      for (int c = cols; c < NR; c++) dst[c] = 0.0f;
    }
  }
}

// tile[4][8] = Ap[kc, 4]^T Bp[kc, 8]; stored to C (row stride ldc) as C = tile + (accumulate ? C : 0)
// for the rows x cols that exist.
void micro_kernel(int kc, const float* Ap, const float* Bp, float* C, int ldc, bool accumulate, int rows, int cols) {
  v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int k = 0; k < kc; k++) {
    const v128_t b0 = wasm_v128_load(Bp), b1 = wasm_v128_load(Bp + 4);
    v128_t a = wasm_v128_load32_splat(Ap);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a, b0)), c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(Ap + 1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a, b0)), c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(Ap + 2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a, b0)), c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(Ap + 3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a, b0)), c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a, b1));
    Ap += MR, Bp += NR;
  }
  const v128_t acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
  if (rows == MR && cols == NR) {
    for (int r = 0; r < MR; r++) {
      float* c = C + int64_t(r) * ldc;
      v128_t lo = acc[r][0], hi = acc[r][1];
      if (accumulate) lo = wasm_f32x4_add(lo, wasm_v128_load(c)), hi = wasm_f32x4_add(hi, wasm_v128_load(c + 4));
      wasm_v128_store(c, lo), wasm_v128_store(c + 4, hi);
    }
    return;
  }
  alignas(16) float tile[MR][NR];
  for (int r = 0; r < MR; r++) wasm_v128_store(tile[r], acc[r][0]), wasm_v128_store(tile[r] + 4, acc[r][1]);
  for (int r = 0; r < rows; r++) {
    float* c = C + int64_t(r) * ldc;
    for (int j = 0; j < cols; j++) c[j] = tile[r][j] + (accumulate ? c[j] : 0.0f);
  }
}

// C[M, N] *= beta (beta = 0 overwrites, so that garbage or NaN in C never leaks through).
void scale_c(int M, int N, float beta, float* C, int ldc) {
  for (int i = 0; i < M; i++) {
    float* c = C + int64_t(i) * ldc;
    if (beta == 0.0f) std::memset(c, 0, sizeof(float) * N);
    else for (int j = 0; j < N; j++) c[j] *= beta;
  }
}

}  // namespace

void sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
           int ldb, float beta, float* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  // beta folds into C first, so that every K block below only accumulates; when beta = 0 the first
  // K block overwrites instead (no separate pass).
  if (beta != 0.0f && beta != 1.0f) scale_c(M, N, beta, C, ldc);
  if (K <= 0 || alpha == 0.0f) {
    if (beta == 0.0f) scale_c(M, N, 0.0f, C, ldc);
    return;
  }
  packed_a.resize(size_t(MC + MR) * KC);
  packed_b.resize(size_t(NC + NR) * KC);
  for (int j0 = 0; j0 < N; j0 += NC) {
    const int nc = std::min(NC, N - j0);
    for (int k0 = 0; k0 < K; k0 += KC) {
      const int kc = std::min(KC, K - k0);
      const bool accumulate = k0 > 0 || beta != 0.0f;
      pack_b(packed_b.data(), transB, B, ldb, j0, nc, k0, kc);
      for (int i0 = 0; i0 < M; i0 += MC) {
        const int mc = std::min(MC, M - i0);
        pack_a(packed_a.data(), transA, A, lda, i0, mc, k0, kc, alpha);
        for (int jr = 0; jr < nc; jr += NR) {
          for (int ir = 0; ir < mc; ir += MR) {
            micro_kernel(kc, packed_a.data() + int64_t(ir) * kc, packed_b.data() + int64_t(jr) * kc,
                         C + int64_t(i0 + ir) * ldc + j0 + jr, ldc, accumulate, std::min(MR, mc - ir),
                         std::min(NR, nc - jr));
          }
        }
      }
    }
  }
}

void sgemv(bool trans, int M, int N, float alpha, const float* A, int lda, const float* x, float beta, float* y) {
  if (!trans) {  // y[M] = alpha A[M, N] x[N] + beta y
    for (int i = 0; i < M; i++) {
      const float* a = A + int64_t(i) * lda;
      float s = 0.0f;
      for (int j = 0; j < N; j++) s += a[j] * x[j];
      y[i] = alpha * s + (beta == 0.0f ? 0.0f : beta * y[i]);
    }
    return;
  }
  // y[N] = alpha A[M, N]^T x[M] + beta y
  for (int j = 0; j < N; j++) y[j] = beta == 0.0f ? 0.0f : beta * y[j];
  for (int i = 0; i < M; i++) {
    const float* a = A + int64_t(i) * lda;
    const float xi = alpha * x[i];
    for (int j = 0; j < N; j++) y[j] += xi * a[j];
  }
}

}  // namespace continuum
#endif
