// Tiled causal attention (FlashAttention, Dao et al. 2022) for long contexts: the forward pass runs
// an online softmax over key blocks and keeps only each row's log-sum-exp; the backward pass
// recomputes the probabilities block by block. Memory is O(T * hs) per head instead of O(T^2).
// The blocks run attention.cpp's AVX2 kernels at head sizes 16, 32, 64; plain loops (compiled for
// AVX2 and baseline, CONTINUUM_SIMD) at the others.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "attention.h"
#include "vmath.h"

namespace continuum {

static constexpr int kB = kFlashBlock;  // query rows per block = keys per block

int64_t flash_scratch_floats(int hs) { return 4 * int64_t(hs) * kB + 2 * kB * kB + 3 * kB; }

// yt[d, c] = y[c, d] for c < n.     y: [n, hs] (row stride ld) -> yt: [hs, kB]
static void transpose_block(float* yt, const float* y, int ld, int n, int hs) {
  for (int c = 0; c < n; c++) {
    const float* row = y + int64_t(c) * ld;
    for (int d = 0; d < hs; d++) yt[int64_t(d) * kB + c] = row[d];
  }
}

// s[r, c] = scale * x_r . y_c for r < nr, c < nc.     x: [nr, hs] (row stride ldx), yt: [hs, kB], s: [kB, kB]
CONTINUUM_SIMD static void plain_scores(float* s, const float* x, int ldx, const float* yt, int nr, int nc, int hs,
                                        float scale) {
  for (int r = 0; r < nr; r++) {
    float* sr = s + int64_t(r) * kB;
    const float* xr = x + int64_t(r) * ldx;
    for (int c = 0; c < nc; c++) sr[c] = 0.0f;
    for (int d = 0; d < hs; d++) {
      const float xd = xr[d];
      const float* yd = yt + int64_t(d) * kB;
      for (int c = 0; c < nc; c++) sr[c] += xd * yd[c];
    }
    for (int c = 0; c < nc; c++) sr[c] *= scale;
  }
}

// o[r] = o[r] * keep[r] + sum_c p[r, c] z_c.     p: [kB, kB], z: [nc, hs] (row stride ldz), o: [nr, hs] (row stride ldo)
CONTINUUM_SIMD static void plain_mix(float* o, int ldo, const float* keep, const float* p, const float* z, int ldz,
                                     int nr, int nc, int hs) {
  for (int r = 0; r < nr; r++) {
    float* orow = o + int64_t(r) * ldo;
    const float* pr = p + int64_t(r) * kB;
    if (keep) {
      for (int d = 0; d < hs; d++) orow[d] *= keep[r];
    }
    for (int c = 0; c < nc; c++) {
      const float w = pr[c];
      const float* zc = z + int64_t(c) * ldz;
      for (int d = 0; d < hs; d++) orow[d] += w * zc[d];
    }
  }
}

// o[c] += sum_r p[r, c] z_r, the product p^T z.     o: [nc, hs] (row stride ldo), z: [nr, hs] (row stride ldz)
CONTINUUM_SIMD static void plain_mix_t(float* o, int ldo, const float* p, const float* z, int ldz, int nr, int nc,
                                       int hs) {
  for (int r = 0; r < nr; r++) {
    const float* pr = p + int64_t(r) * kB;
    const float* zr = z + int64_t(r) * ldz;
    for (int c = 0; c < nc; c++) {
      const float w = pr[c];
      float* oc = o + int64_t(c) * ldo;
      for (int d = 0; d < hs; d++) oc[d] += w * zr[d];
    }
  }
}

// The three block products, by the AVX2 kernels where they apply.
static void scores(float* s, const float* x, int ldx, const float* yt, int nr, int nc, int hs, float scale) {
  if (attention_fast_path(hs)) return attention_block_scores(hs, s, kB, x, ldx, yt, kB, nr, nc, scale);
  plain_scores(s, x, ldx, yt, nr, nc, hs, scale);
}

// o[nr, hs] = o * keep (per row; keep null: 1) + p z.     tmp: [kB, hs] scratch
static void mix(float* o, int ldo, const float* keep, const float* p, const float* z, int ldz, int nr, int nc, int hs,
                float* tmp) {
  if (!attention_fast_path(hs)) return plain_mix(o, ldo, keep, p, z, ldz, nr, nc, hs);
  attention_block_mix(hs, tmp, hs, p, kB, z, ldz, nr, nc);
  for (int r = 0; r < nr; r++) {
    float* orow = o + int64_t(r) * ldo;
    const float* trow = tmp + int64_t(r) * hs;
    const float w = keep ? keep[r] : 1.0f;
    for (int d = 0; d < hs; d++) orow[d] = orow[d] * w + trow[d];
  }
}

// o[nc, hs] += p^T z.
static void mix_t(float* o, int ldo, const float* p, const float* z, int ldz, int nr, int nc, int hs) {
  if (attention_fast_path(hs)) return attention_block_mix_t(hs, o, ldo, p, kB, z, ldz, nr, nc);
  plain_mix_t(o, ldo, p, z, ldz, nr, nc, hs);
}

// Keys row i0 + r sees in the block starting at key j0 (causal: j <= i), at most nc.
static inline int visible(int i0, int r, int j0, int nc) { return std::max(0, std::min(nc, i0 + r - j0 + 1)); }

// Query rows i0 .. i0 + nr of one head: out and lse by an online softmax over the key blocks.
static void forward_rows(float* out, int ldo, float* lse, const float* q, const float* k, const float* v, int ld,
                         int i0, int nr, int hs, float scale, float* scratch) {
  float* kt = scratch;                  // [hs, kB]
  float* s = kt + int64_t(hs) * kB;     // [kB, kB] scores, then probabilities
  float* acc = s + kB * kB;             // [kB, hs] unnormalised output
  float* m = acc + int64_t(kB) * hs;    // [kB] running max
  float* l = m + kB;                    // [kB] running sum of exp(s - m)
  float* keep = l + kB;                 // [kB] exp(m_old - m_new): rescales what came before
  float* tmp = keep + kB;               // [kB, hs]
  std::fill(m, m + nr, -INFINITY);
  std::fill(l, l + nr, 0.0f);
  std::fill(acc, acc + int64_t(nr) * hs, 0.0f);
  for (int j0 = 0; j0 < i0 + nr; j0 += kB) {
    const int nc = std::min(kB, i0 + nr - j0);
    transpose_block(kt, k + int64_t(j0) * ld, ld, nc, hs);
    scores(s, q + int64_t(i0) * ld, ld, kt, nr, nc, hs, scale);
    for (int r = 0; r < nr; r++) {
      float* sr = s + int64_t(r) * kB;
      const int n = visible(i0, r, j0, nc);  // >= 1: blocks are aligned, so j0 <= i0
      const float mx = std::max(m[r], vmax(sr, n));
      keep[r] = std::exp(m[r] - mx);
      l[r] = l[r] * keep[r] + vexp_sum(sr, n, mx);
      m[r] = mx;
      std::memset(sr + n, 0, sizeof(float) * (nc - n));
    }
    mix(acc, hs, keep, s, v + int64_t(j0) * ld, ld, nr, nc, hs, tmp);
  }
  for (int r = 0; r < nr; r++) {
    const float inv = 1.0f / l[r];
    for (int d = 0; d < hs; d++) out[int64_t(i0 + r) * ldo + d] = acc[int64_t(r) * hs + d] * inv;
    lse[i0 + r] = m[r] + std::log(l[r]);
  }
}

void flash_head_forward(int hs, float* out, int ldo, float* lse, const float* q, const float* k, const float* v,
                        int ld, int T, float scale, float* scratch) {
  for (int i0 = 0; i0 < T; i0 += kB) forward_rows(out, ldo, lse, q, k, v, ld, i0, std::min(kB, T - i0), hs, scale, scratch);
}

// Query rows i0 .. i0 + nr: dq for these rows, dk and dv accumulated over their keys.
static void backward_rows(float* dq, float* dk, float* dv, int ldd, const float* dout, const float* out, int ldo,
                          const float* q, const float* k, const float* v, int ld, const float* lse, int i0, int nr,
                          int hs, float scale, float* scratch) {
  float* kt = scratch;                  // [hs, kB]
  float* vt = kt + int64_t(hs) * kB;    // [hs, kB]
  float* p = vt + int64_t(hs) * kB;     // [kB, kB] probabilities
  float* dp = p + kB * kB;              // [kB, kB] d probabilities, then d scores (times scale)
  float* delta = dp + kB * kB;          // [kB] sum_j p dp = dout . out, per row
  float* tmp = delta + kB;              // [kB, hs]
  for (int r = 0; r < nr; r++) {
    const float* a = dout + int64_t(i0 + r) * ldo;
    const float* b = out + int64_t(i0 + r) * ldo;
    float dot = 0;
    for (int d = 0; d < hs; d++) dot += a[d] * b[d];
    delta[r] = dot;
  }
  for (int j0 = 0; j0 < i0 + nr; j0 += kB) {
    const int nc = std::min(kB, i0 + nr - j0);
    transpose_block(kt, k + int64_t(j0) * ld, ld, nc, hs);
    transpose_block(vt, v + int64_t(j0) * ld, ld, nc, hs);
    scores(p, q + int64_t(i0) * ld, ld, kt, nr, nc, hs, scale);
    scores(dp, dout + int64_t(i0) * ldo, ldo, vt, nr, nc, hs, 1.0f);  // dp = dout v^T
    for (int r = 0; r < nr; r++) {
      float *pr = p + int64_t(r) * kB, *dr = dp + int64_t(r) * kB;
      const int n = visible(i0, r, j0, nc);
      vexp_sum(pr, n, lse[i0 + r]);  // p = exp(s - lse), the forward's probabilities
      for (int c = 0; c < n; c++) dr[c] = scale * pr[c] * (dr[c] - delta[r]);
      std::memset(pr + n, 0, sizeof(float) * (nc - n));
      std::memset(dr + n, 0, sizeof(float) * (nc - n));
    }
    mix_t(dv + int64_t(j0) * ldd, ldd, p, dout + int64_t(i0) * ldo, ldo, nr, nc, hs);      // dv += p^T dout
    mix(dq + int64_t(i0) * ldd, ldd, nullptr, dp, k + int64_t(j0) * ld, ld, nr, nc, hs, tmp);  // dq += ds k
    mix_t(dk + int64_t(j0) * ldd, ldd, dp, q + int64_t(i0) * ld, ld, nr, nc, hs);           // dk += ds^T q
  }
}

void flash_head_backward(int hs, float* dq, float* dk, float* dv, int ldd, const float* dout, const float* out,
                         int ldo, const float* q, const float* k, const float* v, int ld, const float* lse, int T,
                         float scale, float* scratch) {
  for (int t = 0; t < T; t++) {
    std::memset(dq + int64_t(t) * ldd, 0, sizeof(float) * hs);
    std::memset(dk + int64_t(t) * ldd, 0, sizeof(float) * hs);
    std::memset(dv + int64_t(t) * ldd, 0, sizeof(float) * hs);
  }
  for (int i0 = 0; i0 < T; i0 += kB) {
    backward_rows(dq, dk, dv, ldd, dout, out, ldo, q, k, v, ld, lse, i0, std::min(kB, T - i0), hs, scale, scratch);
  }
}

}  // namespace continuum
