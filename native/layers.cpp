#include "layers.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "attention.h"
#include "blas.h"
#include "vmath.h"

namespace continuum {

// ---------------------------------------------------------------------------------------------
// encoder: token + position embeddings. The backward pass splits channels, not rows, across
// threads, so two rows with the same token never race on the same gradient entry.

void encoder_forward(ThreadTeam& team, float* out, const int32_t* inp, const int32_t* pos, const float* wte,
                     const float* wpe, int N, int C) {
  team.parallel_for(N, [&](int64_t n0, int64_t n1, int) {
    for (int64_t n = n0; n < n1; n++) {
      const float* te = wte + int64_t(inp[n]) * C;
      const float* pe = wpe + int64_t(pos[n]) * C;
      float* o = out + n * C;
      for (int c = 0; c < C; c++) o[c] = te[c] + pe[c];
    }
  });
}

void encoder_backward(ThreadTeam& team, float* dwte, float* dwpe, const float* dout, const int32_t* inp,
                      const int32_t* pos, int N, int C) {
  team.parallel_for(C, [&](int64_t c0, int64_t c1, int) {
    for (int n = 0; n < N; n++) {
      const float* d = dout + int64_t(n) * C;
      float* te = dwte + int64_t(inp[n]) * C;
      float* pe = dwpe + int64_t(pos[n]) * C;
      for (int64_t c = c0; c < c1; c++) {
        te[c] += d[c];
        pe[c] += d[c];
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// layernorm

// Rows n0..n1 of the forward pass.
CONTINUUM_SIMD static void layernorm_rows(float* __restrict out, float* __restrict mean, float* __restrict rstd,
                                          const float* __restrict inp, const float* __restrict w,
                                          const float* __restrict b, int64_t n0, int64_t n1, int C) {
  const int C8 = C / 8 * 8;
  for (int64_t n = n0; n < n1; n++) {
    const float* x = inp + n * C;
    Sum8 sum;
    for (int c = 0; c < C8; c += 8)
      for (int l = 0; l < 8; l++) sum.lane[l] += x[c + l];
    float m = sum.total();
    for (int c = C8; c < C; c++) m += x[c];
    m /= C;
    Sum8 sq;
    for (int c = 0; c < C8; c += 8)
      for (int l = 0; l < 8; l++) sq.lane[l] += (x[c + l] - m) * (x[c + l] - m);
    float v = sq.total();
    for (int c = C8; c < C; c++) v += (x[c] - m) * (x[c] - m);
    const float s = 1.0f / std::sqrt(v / C + 1e-5f);
    float* o = out + n * C;
    for (int c = 0; c < C; c++) o[c] = (x[c] - m) * s * w[c] + b[c];
    mean[n] = m;
    rstd[n] = s;
  }
}

void layernorm_forward(ThreadTeam& team, float* out, float* mean, float* rstd, const float* inp, const float* w,
                       const float* b, int N, int C) {
  team.parallel_for(N, [&](int64_t n0, int64_t n1, int) { layernorm_rows(out, mean, rstd, inp, w, b, n0, n1, C); });
}

// Rows n0..n1 of the backward pass; pdw, pdb: this chunk's partial weight and bias gradients.
CONTINUUM_SIMD static void layernorm_backward_rows(float* __restrict dinp, float* __restrict pdw,
                                                   float* __restrict pdb, const float* __restrict dout,
                                                   const float* __restrict inp, const float* __restrict w,
                                                   const float* __restrict mean, const float* __restrict rstd,
                                                   int64_t n0, int64_t n1, int C) {
  const int C8 = C / 8 * 8;
  for (int64_t n = n0; n < n1; n++) {
    const float* x = inp + n * C;
    const float* d = dout + n * C;
    const float m = mean[n], s = rstd[n];
    // dnorm = d * w; dx = (dnorm - mean(dnorm) - norm * mean(dnorm * norm)) * rstd
    Sum8 a, b;
    for (int c = 0; c < C8; c += 8) {
      for (int l = 0; l < 8; l++) {
        const float norm = (x[c + l] - m) * s, dnorm = d[c + l] * w[c + l];
        a.lane[l] += dnorm;
        b.lane[l] += dnorm * norm;
      }
    }
    float sum_dnorm = a.total(), sum_dnorm_norm = b.total();
    for (int c = C8; c < C; c++) {
      const float norm = (x[c] - m) * s, dnorm = d[c] * w[c];
      sum_dnorm += dnorm;
      sum_dnorm_norm += dnorm * norm;
    }
    const float mean_dnorm = sum_dnorm / C, mean_dnorm_norm = sum_dnorm_norm / C;
    float* dx = dinp + n * C;
    for (int c = 0; c < C; c++) {
      const float norm = (x[c] - m) * s;
      dx[c] += (d[c] * w[c] - mean_dnorm - norm * mean_dnorm_norm) * s;
    }
    for (int c = 0; c < C; c++) {
      pdw[c] += d[c] * (x[c] - m) * s;
      pdb[c] += d[c];
    }
  }
}

void layernorm_backward(ThreadTeam& team, float* dinp, float* dw, float* db, float* scratch, const float* dout,
                        const float* inp, const float* w, const float* mean, const float* rstd, int N, int C) {
  const int P = team.size();
  team.run(P, [&](int part, int) {
    int64_t n0, n1;
    split_range(N, P, part, &n0, &n1);
    float* pdw = scratch + int64_t(part) * 2 * C;  // this chunk's partial dw, then db
    std::memset(pdw, 0, sizeof(float) * 2 * C);
    layernorm_backward_rows(dinp, pdw, pdw + C, dout, inp, w, mean, rstd, n0, n1, C);
  });
  // Combine the partials in chunk order: the result does not depend on scheduling.
  for (int t = 0; t < P; t++) {
    const float* pdw = scratch + int64_t(t) * 2 * C;
    for (int c = 0; c < C; c++) {
      dw[c] += pdw[c];
      db[c] += pdw[C + c];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// linear (PyTorch layout W [OC, IC]). The forward pass seeds each output block with the bias
// (and residual) and lets sgemm accumulate onto it, so the bias costs no extra pass.

// out[r0:r1, c0:c1] = residual (or 0) + bias (or 0), row stride OC.
CONTINUUM_SIMD static void seed_rows(float* out, const float* residual, const float* bias, int64_t r0, int64_t r1,
                                     int64_t c0, int64_t c1, int OC) {
  for (int64_t n = r0; n < r1; n++) {
    float* o = out + n * OC;
    if (residual && bias) {
      const float* r = residual + n * OC;
      for (int64_t c = c0; c < c1; c++) o[c] = r[c] + bias[c];
    } else if (residual) {
      if (residual != out) std::memcpy(o + c0, residual + n * OC + c0, sizeof(float) * (c1 - c0));
    } else {
      std::memcpy(o + c0, bias + c0, sizeof(float) * (c1 - c0));
    }
  }
}

// sums[o0:o1] += sum_n x[n, o0:o1], row stride OC.
CONTINUUM_SIMD static void column_sums(float* __restrict sums, const float* __restrict x, int N, int64_t o0,
                                       int64_t o1, int OC) {
  for (int64_t n = 0; n < N; n++) {
    const float* row = x + n * OC;
    for (int64_t o = o0; o < o1; o++) sums[o] += row[o];
  }
}

// How many chunks to cut a product into: two per thread, so that when another process takes a core
// for a while, the threads still running take over its second chunk instead of waiting for it.
static int product_chunks(const ThreadTeam& team, int64_t rows, int64_t min_rows) {
  const int64_t by_size = rows / min_rows;
  const int64_t want = team.size() == 1 ? 1 : 2 * team.size();
  return int(std::max<int64_t>(1, std::min(want, by_size)));
}

void linear_forward(ThreadTeam& team, float* out, const float* inp, const float* W, const float* bias,
                    const float* residual, int N, int IC, int OC, float* gelu_out) {
  // Many rows (training, prefill): split rows. Few (decoding): split output columns.
  const bool split_rows = N >= 32 * team.size();
  const int parts = split_rows ? product_chunks(team, N, 64) : product_chunks(team, OC, 32);
  team.run(parts, [&](int part, int) {
    int64_t r0 = 0, r1 = N, c0 = 0, c1 = OC;
    if (split_rows) split_range(N, parts, part, &r0, &r1);
    else split_range(OC, parts, part, &c0, &c1);
    const bool seeded = bias || residual;
    if (seeded) seed_rows(out, residual, bias, r0, r1, c0, c1, OC);
    // out[r0:r1, c0:c1] (+)= inp[r0:r1, :] W[c0:c1, :]^T
    sgemm(false, true, int(r1 - r0), int(c1 - c0), IC, 1.0f, inp + r0 * IC, IC, W + c0 * IC, IC,
          seeded ? 1.0f : 0.0f, out + r0 * OC + c0, OC);
    for (int64_t n = r0; n < r1 && gelu_out; n++) gelu_forward(gelu_out + n * OC + c0, out + n * OC + c0, c1 - c0);
  });
}

void linear_backward(ThreadTeam& team, float* dinp, float* dW, float* dbias, const float* dout, const float* inp,
                     const float* W, int N, int IC, int OC, const float* gelu_inp) {
  // The three products are independent: each thread does its share of all three in one region.
  const int parts = product_chunks(team, std::min(N, OC), 16);
  team.run(parts, [&](int part, int) {
    int64_t n0, n1, o0, o1;
    split_range(N, parts, part, &n0, &n1);
    split_range(OC, parts, part, &o0, &o1);
    // dinp[n0:n1, :] = dout[n0:n1, :] W            [n, OC] x [OC, IC]
    sgemm(false, false, int(n1 - n0), IC, OC, 1.0f, dout + n0 * OC, OC, W, IC, 0.0f, dinp + n0 * IC, IC);
    if (gelu_inp) gelu_backward(dinp + n0 * IC, gelu_inp + n0 * IC, (n1 - n0) * IC);
    // dW[o0:o1, :] += dout[:, o0:o1]^T inp          [o, N] x [N, IC]
    sgemm(true, false, int(o1 - o0), IC, N, 1.0f, dout + o0, OC, inp, IC, 1.0f, dW + o0 * IC, IC);
    if (dbias) column_sums(dbias, dout, N, o0, o1, OC);  // dbias[o0:o1] += sum_n dout[n, o0:o1]
  });
}

// ---------------------------------------------------------------------------------------------
// attention: one (batch row, head) pair is one task. Common head sizes run the hand-written kernels
// of attention.cpp; the others run small sgemms over strided views of qkv, each causal block
// computing only the key columns its queries can see.

static constexpr int kAttnBlock = 32;  // query rows per causal block (BLAS path)

int64_t attention_saved_floats(int T) { return attention_tiled(T) ? T : int64_t(T) * attention_stride(T); }

int64_t attention_scratch_floats(int T, int hs) {
  if (attention_tiled(T)) return flash_scratch_floats(hs);
  const int64_t Tp = attention_stride(T);
  return T * Tp + hs * Tp;
}

void attention_forward(ThreadTeam& team, float* out, float* att, float* scratch, const float* qkv, int B, int T,
                       int C, int H) {
  const int hs = C / H, Tp = attention_stride(T), C3 = 3 * C;
  const float scale = 1.0f / std::sqrt(float(hs));
  const bool fast = attention_fast_path(hs), tiled = attention_tiled(T);
  team.parallel_for(int64_t(B) * H, [&](int64_t i0, int64_t i1, int tid) {
    float* kt = scratch + tid * attention_scratch_floats(T, hs);
    for (int64_t i = i0; i < i1; i++) {
      const int b = int(i / H), h = int(i % H);
      const float* q = qkv + int64_t(b) * T * C3 + h * hs;  // [T, hs], row stride 3C
      const float* k = q + C;
      const float* v = q + 2 * C;
      float* a = att + i * attention_saved_floats(T);  // [T, Tp], or lse [T] when tiled
      float* o = out + int64_t(b) * T * C + h * hs;  // [T, hs], row stride C
      if (tiled) {
        flash_head_forward(hs, o, C, a, q, k, v, C3, T, scale, kt);
        continue;
      }
      if (fast) {
        attention_head_forward(hs, o, C, a, q, k, v, C3, T, scale, kt);
        continue;
      }
      for (int t0 = 0; t0 < T; t0 += kAttnBlock) {
        const int rows = std::min(kAttnBlock, T - t0), cols = t0 + rows;
        // a[t0:t0+rows, 0:cols] = scale * q[t0:t0+rows] k[0:cols]^T
        sgemm(false, true, rows, cols, hs, scale, q + int64_t(t0) * C3, C3, k, C3, 0.0f, a + int64_t(t0) * Tp, Tp);
      }
      for (int t = 0; t < T; t++) {
        float* row = a + int64_t(t) * Tp;
        const float mx = vmax(row, t + 1);
        const float sum = vexp_sum(row, t + 1, mx);
        vscale(row, t + 1, 1.0f / sum);
        std::memset(row + t + 1, 0, sizeof(float) * (Tp - t - 1));
      }
      // o = a v      [T, T] x [T, hs], again only over visible columns
      for (int t0 = 0; t0 < T; t0 += kAttnBlock) {
        const int rows = std::min(kAttnBlock, T - t0), cols = t0 + rows;
        sgemm(false, false, rows, hs, cols, 1.0f, a + int64_t(t0) * Tp, Tp, v, C3, 0.0f, o + int64_t(t0) * C, C);
      }
    }
  });
}

void attention_backward(ThreadTeam& team, float* dqkv, float* scratch, const float* dout, const float* qkv,
                        const float* att, const float* out, int B, int T, int C, int H) {
  const int hs = C / H, Tp = attention_stride(T), C3 = 3 * C;
  const float scale = 1.0f / std::sqrt(float(hs));
  const bool fast = attention_fast_path(hs), tiled = attention_tiled(T);
  team.parallel_for(int64_t(B) * H, [&](int64_t i0, int64_t i1, int tid) {
    float* da = scratch + tid * attention_scratch_floats(T, hs);  // [T, Tp]: d att, then d preatt
    float* kt = da + int64_t(T) * Tp;                              // [hs, Tp]
    for (int64_t i = i0; i < i1; i++) {
      const int b = int(i / H), h = int(i % H);
      const int64_t base = int64_t(b) * T * C3 + h * hs;
      const float *q = qkv + base, *k = q + C, *v = q + 2 * C;
      float *dq = dqkv + base, *dk = dq + C, *dv = dq + 2 * C;
      const float* a = att + i * attention_saved_floats(T);
      const float* d = dout + int64_t(b) * T * C + h * hs;  // [T, hs], row stride C
      if (tiled) {
        const float* o = out + int64_t(b) * T * C + h * hs;  // the forward's output, same layout as d
        flash_head_backward(hs, dq, dk, dv, C3, d, o, C, q, k, v, C3, a, T, scale, da);
        continue;
      }
      if (fast) {
        attention_head_backward(hs, dq, dk, dv, C3, d, C, q, k, v, C3, a, T, scale, da, kt);
        continue;
      }
      for (int t0 = 0; t0 < T; t0 += kAttnBlock) {
        const int rows = std::min(kAttnBlock, T - t0), cols = t0 + rows;
        // da[t0:, 0:cols] = d[t0:] v[0:cols]^T
        sgemm(false, true, rows, cols, hs, 1.0f, d + int64_t(t0) * C, C, v, C3, 0.0f, da + int64_t(t0) * Tp, Tp);
      }
      // dv = a^T d     [T, T]^T x [T, hs]; key block j0:j1 is seen only by queries j0:T
      for (int j0 = 0; j0 < T; j0 += kAttnBlock) {
        const int rows = std::min(kAttnBlock, T - j0);
        sgemm(true, false, rows, hs, T - j0, 1.0f, a + int64_t(j0) * Tp + j0, Tp, d + int64_t(j0) * C, C, 0.0f,
              dv + int64_t(j0) * C3, C3);
      }
      // softmax backward: dpre[t, j] = a[t, j] (da[t, j] - sum_j' a[t, j'] da[t, j']), j <= t
      for (int t = 0; t < T; t++) {
        const float* ar = a + int64_t(t) * Tp;
        float* dr = da + int64_t(t) * Tp;
        float dot = 0;
        for (int j = 0; j <= t; j++) dot += ar[j] * dr[j];
        for (int j = 0; j <= t; j++) dr[j] = ar[j] * (dr[j] - dot);
        std::memset(dr + t + 1, 0, sizeof(float) * (Tp - t - 1));
      }
      // dq = scale * dpre k;  dk = scale * dpre^T q
      for (int t0 = 0; t0 < T; t0 += kAttnBlock) {
        const int rows = std::min(kAttnBlock, T - t0), cols = t0 + rows;
        sgemm(false, false, rows, hs, cols, scale, da + int64_t(t0) * Tp, Tp, k, C3, 0.0f, dq + int64_t(t0) * C3, C3);
      }
      for (int j0 = 0; j0 < T; j0 += kAttnBlock) {
        const int rows = std::min(kAttnBlock, T - j0);
        sgemm(true, false, rows, hs, T - j0, scale, da + int64_t(j0) * Tp + j0, Tp, q + int64_t(j0) * C3, C3, 0.0f,
              dk + int64_t(j0) * C3, C3);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// weighted cross-entropy, fused with its gradient

double crossentropy_forward_backward(ThreadTeam& team, float* logits, float* logp, const int32_t* targets,
                                     const float* weights, float grad_scale, int N, int V, double* partial) {
  const int P = team.size();
  team.run(P, [&](int part, int) {
    int64_t n0, n1;
    split_range(N, P, part, &n0, &n1);
    double acc = 0;
    for (int64_t n = n0; n < n1; n++) {
      float* row = logits + n * V;
      const int target = targets[n];
      const float mx = vmax(row, V);
      const float target_logit = row[target];
      const float sum = vexp_sum(row, V, mx);  // row now holds exp(logit - max)
      const float lp = target_logit - mx - std::log(sum);
      logp[n] = lp;
      const float w = weights ? weights[n] : 1.0f;
      acc += double(w) * lp;
      if (grad_scale != 0.0f) {
        const float g = grad_scale * w;
        if (g == 0.0f) {
          std::memset(row, 0, sizeof(float) * V);
        } else {
          vscale(row, V, g / sum);  // g * softmax
          row[target] -= g;
        }
      }
    }
    partial[part] = acc;
  });
  double total = 0;
  for (int p = 0; p < P; p++) total += partial[p];
  return total;
}

}  // namespace continuum
