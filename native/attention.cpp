#include "attention.h"

#include <cstring>

#include "vmath.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace continuum {

#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2,fma")))

static const bool kHasAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

bool attention_fast_path(int hs) { return kHasAvx2 && (hs == 16 || hs == 32 || hs == 64); }

// yt[d, j] = y[j, d] for j < T, zero for T <= j < Tp.     y: [T, HS] (row stride ld) -> yt: [HS, Tp]
template <int HS>
static void transpose_head(float* yt, const float* y, int ld, int T, int Tp) {
  for (int j = 0; j < T; j++) {
    const float* row = y + int64_t(j) * ld;
    for (int d = 0; d < HS; d++) yt[int64_t(d) * Tp + j] = row[d];
  }
  for (int d = 0; d < HS; d++) std::memset(yt + int64_t(d) * Tp + T, 0, sizeof(float) * (Tp - T));
}

// s[i, j0 + c] = scale * x_i . y_{j0 + c} for 4 rows i and 16 columns c. The 8 accumulators
// (4 rows x 2 vectors of 8 columns) keep both FMA pipes busy. yt: y transposed, [HS, Tp], already
// offset to column j0; xr: the 4 rows of x; sr: where the 4 rows of 16 scores go.
template <int HS>
AVX2 static inline void scores_4x16(const float* const* xr, const float* yt, int Tp, float scale, float* const* sr) {
  __m256 acc[4][2];
  for (int r = 0; r < 4; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  for (int d = 0; d < HS; d++) {
    const __m256 y0 = _mm256_loadu_ps(yt + int64_t(d) * Tp);
    const __m256 y1 = _mm256_loadu_ps(yt + int64_t(d) * Tp + 8);
    for (int r = 0; r < 4; r++) {
      const __m256 x = _mm256_broadcast_ss(xr[r] + d);
      acc[r][0] = _mm256_fmadd_ps(x, y0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(x, y1, acc[r][1]);
    }
  }
  const __m256 s = _mm256_set1_ps(scale);
  for (int r = 0; r < 4; r++) {
    _mm256_storeu_ps(sr[r], _mm256_mul_ps(acc[r][0], s));
    _mm256_storeu_ps(sr[r] + 8, _mm256_mul_ps(acc[r][1], s));
  }
}

// Causal scores: s[i, j] = scale * x_i . y_j for j <= i, in whole 16-column blocks (entries past the
// diagonal inside the last block are computed but meaningless). x: [T, HS] (row stride ldx),
// yt: [HS, Tp], s: [T, Tp].
template <int HS>
AVX2 static void causal_scores(float* s, const float* x, int ldx, const float* yt, int T, int Tp, float scale) {
  float dummy[16];  // where the rows of a last, partial block of 4 go
  for (int i0 = 0; i0 < T; i0 += 4) {
    const float* xr[4];
    for (int r = 0; r < 4; r++) xr[r] = x + int64_t(i0 + r < T ? i0 + r : T - 1) * ldx;
    const int diagonal = i0 + 3 < T ? i0 + 3 : T - 1;  // the block's last row sees columns 0..diagonal
    for (int j0 = 0; j0 <= diagonal; j0 += 16) {
      float* sr[4];
      for (int r = 0; r < 4; r++) sr[r] = i0 + r < T ? s + int64_t(i0 + r) * Tp + j0 : dummy;
      scores_4x16<HS>(xr, yt + j0, Tp, scale, sr);
    }
  }
}

// o_a = sum_{j < na} pa[j] z_j and o_b = sum_{j < nb} pb[j] z_j (na <= nb): two output rows share
// every load of z. z: rows of HS (row stride ldz).
template <int HS>
AVX2 static inline void mix_2rows(float* oa, float* ob, const float* pa, const float* pb, int na, int nb,
                                  const float* z, int ldz) {
  constexpr int NV = HS / 8;
  __m256 a[NV], b[NV];
  for (int v = 0; v < NV; v++) a[v] = b[v] = _mm256_setzero_ps();
  int j = 0;
  for (; j < na; j++) {
    const float* zj = z + int64_t(j) * ldz;
    const __m256 wa = _mm256_broadcast_ss(pa + j), wb = _mm256_broadcast_ss(pb + j);
    for (int v = 0; v < NV; v++) {
      const __m256 zv = _mm256_loadu_ps(zj + 8 * v);
      a[v] = _mm256_fmadd_ps(wa, zv, a[v]);
      b[v] = _mm256_fmadd_ps(wb, zv, b[v]);
    }
  }
  for (; j < nb; j++) {
    const float* zj = z + int64_t(j) * ldz;
    const __m256 wb = _mm256_broadcast_ss(pb + j);
    for (int v = 0; v < NV; v++) b[v] = _mm256_fmadd_ps(wb, _mm256_loadu_ps(zj + 8 * v), b[v]);
  }
  for (int v = 0; v < NV; v++) {
    _mm256_storeu_ps(oa + 8 * v, a[v]);
    if (ob) _mm256_storeu_ps(ob + 8 * v, b[v]);
  }
}

// o[i] = sum_{j <= i} p[i, j] z_j, the causal product p z.     p: [T, Tp], z/o: [T, HS] strided
template <int HS>
AVX2 static void causal_mix(float* o, int ldo, const float* p, int Tp, const float* z, int ldz, int T) {
  int i = 0;
  for (; i + 1 < T; i += 2) {
    mix_2rows<HS>(o + int64_t(i) * ldo, o + int64_t(i + 1) * ldo, p + int64_t(i) * Tp, p + int64_t(i + 1) * Tp,
                  i + 1, i + 2, z, ldz);
  }
  if (i < T) mix_2rows<HS>(o + int64_t(i) * ldo, nullptr, p + int64_t(i) * Tp, p + int64_t(i) * Tp, i + 1, i + 1, z, ldz);
}

// o[j] = sum_{i >= j} p[i, j] z_i, the causal product p^T z, two output rows at a time.
template <int HS>
AVX2 static void causal_mix_t(float* o, int ldo, const float* p, int Tp, const float* z, int ldz, int T) {
  constexpr int NV = HS / 8;
  for (int j = 0; j < T; j += 2) {
    const bool pair = j + 1 < T;
    __m256 a[NV], b[NV];
    const float* zj = z + int64_t(j) * ldz;
    const __m256 wjj = _mm256_broadcast_ss(p + int64_t(j) * Tp + j);
    for (int v = 0; v < NV; v++) {
      a[v] = _mm256_mul_ps(wjj, _mm256_loadu_ps(zj + 8 * v));
      b[v] = _mm256_setzero_ps();
    }
    for (int i = j + 1; i < T; i++) {
      const float* pi = p + int64_t(i) * Tp;
      const float* zi = z + int64_t(i) * ldz;
      const __m256 wa = _mm256_broadcast_ss(pi + j), wb = _mm256_broadcast_ss(pi + j + (pair ? 1 : 0));
      for (int v = 0; v < NV; v++) {
        const __m256 zv = _mm256_loadu_ps(zi + 8 * v);
        a[v] = _mm256_fmadd_ps(wa, zv, a[v]);
        b[v] = _mm256_fmadd_ps(wb, zv, b[v]);
      }
    }
    for (int v = 0; v < NV; v++) {
      _mm256_storeu_ps(o + int64_t(j) * ldo + 8 * v, a[v]);
      if (pair) _mm256_storeu_ps(o + int64_t(j + 1) * ldo + 8 * v, b[v]);
    }
  }
}

// Row-wise causal softmax in place: row i keeps columns 0..i, the rest become zero.
static void causal_softmax(float* s, int T, int Tp) {
  for (int i = 0; i < T; i++) {
    float* row = s + int64_t(i) * Tp;
    const float sum = vexp_sum(row, i + 1, vmax(row, i + 1));
    vscale(row, i + 1, 1.0f / sum);
    std::memset(row + i + 1, 0, sizeof(float) * (Tp - i - 1));
  }
}

// Softmax backward in place: da[i, j] = scale * a[i, j] (da[i, j] - sum_j' a[i, j'] da[i, j']), j <= i.
AVX2 static void causal_softmax_backward(float* da, const float* a, int T, int Tp, float scale) {
  for (int i = 0; i < T; i++) {
    float* d = da + int64_t(i) * Tp;
    const float* p = a + int64_t(i) * Tp;
    const int n = i + 1, n8 = n / 8 * 8;
    __m256 acc = _mm256_setzero_ps();
    for (int j = 0; j < n8; j += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(p + j), _mm256_loadu_ps(d + j), acc);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    float dot = _mm_cvtss_f32(h);
    for (int j = n8; j < n; j++) dot += p[j] * d[j];
    for (int j = 0; j < n; j++) d[j] = scale * p[j] * (d[j] - dot);
    std::memset(d + n, 0, sizeof(float) * (Tp - n));
  }
}

// Dense blocks for the tiled kernels (flash.cpp): s[nr, nc] = scale * x yt (row stride lds >= nc
// rounded up to 16; yt: [hs, ldy] with ldy >= that too); entries past nc are computed but meaningless.
template <int HS>
AVX2 static void block_scores(float* s, int lds, const float* x, int ldx, const float* yt, int ldy, int nr, int nc,
                              float scale) {
  float dummy[16];
  for (int i0 = 0; i0 < nr; i0 += 4) {
    const float* xr[4];
    for (int r = 0; r < 4; r++) xr[r] = x + int64_t(i0 + r < nr ? i0 + r : nr - 1) * ldx;
    for (int j0 = 0; j0 < nc; j0 += 16) {
      float* sr[4];
      for (int r = 0; r < 4; r++) sr[r] = i0 + r < nr ? s + int64_t(i0 + r) * lds + j0 : dummy;
      scores_4x16<HS>(xr, yt + j0, ldy, scale, sr);
    }
  }
}

// o[nr, HS] = p[nr, nc] z[nc, HS] (overwritten).
template <int HS>
AVX2 static void block_mix(float* o, int ldo, const float* p, int ldp, const float* z, int ldz, int nr, int nc) {
  int i = 0;
  for (; i + 1 < nr; i += 2) {
    mix_2rows<HS>(o + int64_t(i) * ldo, o + int64_t(i + 1) * ldo, p + int64_t(i) * ldp, p + int64_t(i + 1) * ldp, nc,
                  nc, z, ldz);
  }
  if (i < nr) mix_2rows<HS>(o + int64_t(i) * ldo, nullptr, p + int64_t(i) * ldp, p + int64_t(i) * ldp, nc, nc, z, ldz);
}

// o[nc, HS] += p[nr, nc]^T z[nr, HS], two output rows at a time.
template <int HS>
AVX2 static void block_mix_t(float* o, int ldo, const float* p, int ldp, const float* z, int ldz, int nr, int nc) {
  constexpr int NV = HS / 8;
  for (int j = 0; j < nc; j += 2) {
    const bool pair = j + 1 < nc;
    __m256 a[NV], b[NV];
    for (int v = 0; v < NV; v++) {
      a[v] = _mm256_loadu_ps(o + int64_t(j) * ldo + 8 * v);
      b[v] = pair ? _mm256_loadu_ps(o + int64_t(j + 1) * ldo + 8 * v) : _mm256_setzero_ps();
    }
    for (int i = 0; i < nr; i++) {
      const float* pi = p + int64_t(i) * ldp;
      const float* zi = z + int64_t(i) * ldz;
      const __m256 wa = _mm256_broadcast_ss(pi + j), wb = _mm256_broadcast_ss(pi + j + (pair ? 1 : 0));
      for (int v = 0; v < NV; v++) {
        const __m256 zv = _mm256_loadu_ps(zi + 8 * v);
        a[v] = _mm256_fmadd_ps(wa, zv, a[v]);
        b[v] = _mm256_fmadd_ps(wb, zv, b[v]);
      }
    }
    for (int v = 0; v < NV; v++) {
      _mm256_storeu_ps(o + int64_t(j) * ldo + 8 * v, a[v]);
      if (pair) _mm256_storeu_ps(o + int64_t(j + 1) * ldo + 8 * v, b[v]);
    }
  }
}

#define CONTINUUM_HS_SWITCH(fn, ...) \
  switch (hs) {                      \
    case 16: return fn<16>(__VA_ARGS__); \
    case 32: return fn<32>(__VA_ARGS__); \
    case 64: return fn<64>(__VA_ARGS__); \
  }

void attention_block_scores(int hs, float* s, int lds, const float* x, int ldx, const float* yt, int ldy, int nr,
                            int nc, float scale) {
  CONTINUUM_HS_SWITCH(block_scores, s, lds, x, ldx, yt, ldy, nr, nc, scale);
}

void attention_block_mix(int hs, float* o, int ldo, const float* p, int ldp, const float* z, int ldz, int nr, int nc) {
  CONTINUUM_HS_SWITCH(block_mix, o, ldo, p, ldp, z, ldz, nr, nc);
}

void attention_block_mix_t(int hs, float* o, int ldo, const float* p, int ldp, const float* z, int ldz, int nr,
                           int nc) {
  CONTINUUM_HS_SWITCH(block_mix_t, o, ldo, p, ldp, z, ldz, nr, nc);
}

template <int HS>
static void head_forward(float* out, int ldo, float* att, const float* q, const float* k, const float* v, int ld,
                         int T, float scale, float* kt) {
  const int Tp = attention_stride(T);
  transpose_head<HS>(kt, k, ld, T, Tp);
  causal_scores<HS>(att, q, ld, kt, T, Tp, scale);
  causal_softmax(att, T, Tp);
  causal_mix<HS>(out, ldo, att, Tp, v, ld, T);
}

template <int HS>
static void head_backward(float* dq, float* dk, float* dv, int ldd, const float* dout, int ldo, const float* q,
                          const float* k, const float* v, int ld, const float* att, int T, float scale, float* datt,
                          float* vt) {
  const int Tp = attention_stride(T);
  transpose_head<HS>(vt, v, ld, T, Tp);
  causal_scores<HS>(datt, dout, ldo, vt, T, Tp, 1.0f);  // datt = dout v^T
  causal_mix_t<HS>(dv, ldd, att, Tp, dout, ldo, T);     // dv = att^T dout
  causal_softmax_backward(datt, att, T, Tp, scale);     // datt = d(scale * q k^T)
  causal_mix<HS>(dq, ldd, datt, Tp, k, ld, T);          // dq = datt k
  causal_mix_t<HS>(dk, ldd, datt, Tp, q, ld, T);        // dk = datt^T q
}

void attention_head_forward(int hs, float* out, int ldo, float* att, const float* q, const float* k, const float* v,
                            int ld, int T, float scale, float* kt) {
  switch (hs) {
    case 16: return head_forward<16>(out, ldo, att, q, k, v, ld, T, scale, kt);
    case 32: return head_forward<32>(out, ldo, att, q, k, v, ld, T, scale, kt);
    case 64: return head_forward<64>(out, ldo, att, q, k, v, ld, T, scale, kt);
  }
}

void attention_head_backward(int hs, float* dq, float* dk, float* dv, int ldd, const float* dout, int ldo,
                             const float* q, const float* k, const float* v, int ld, const float* att, int T,
                             float scale, float* datt, float* kt) {
  switch (hs) {
    case 16: return head_backward<16>(dq, dk, dv, ldd, dout, ldo, q, k, v, ld, att, T, scale, datt, kt);
    case 32: return head_backward<32>(dq, dk, dv, ldd, dout, ldo, q, k, v, ld, att, T, scale, datt, kt);
    case 64: return head_backward<64>(dq, dk, dv, ldd, dout, ldo, q, k, v, ld, att, T, scale, datt, kt);
  }
}

#else  // not x86-64: the BLAS path in layers.cpp does all the work

bool attention_fast_path(int) { return false; }
void attention_head_forward(int, float*, int, float*, const float*, const float*, const float*, int, int, float,
                            float*) {}
void attention_head_backward(int, float*, float*, float*, int, const float*, int, const float*, const float*,
                             const float*, int, const float*, int, float, float*, float*) {}
void attention_block_scores(int, float*, int, const float*, int, const float*, int, int, int, float) {}
void attention_block_mix(int, float*, int, const float*, int, const float*, int, int, int) {}
void attention_block_mix_t(int, float*, int, const float*, int, const float*, int, int, int) {}

#endif

}  // namespace continuum
