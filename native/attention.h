// Causal self-attention of one (batch row, head) pair, specialised for the common head sizes
// (16, 32, 64) with AVX2/FMA register-blocked loops. At these sizes a BLAS call per tiny product
// costs more in packing and call overhead than the arithmetic, so hand loops win by a wide margin;
// other head sizes (or CPUs without AVX2) use the BLAS path in layers.cpp.
//
// Layout: q, k, v, dout rows are strided views (row stride ld*); att and datt are [T, Tp] with
// Tp = attention_stride(T) (rows padded to whole vectors); kt is a [hs, Tp] transpose scratch.
#pragma once

#include <cstdint>

namespace continuum {

// Row stride of attention matrices: T rounded up to a multiple of 16.
inline int attention_stride(int T) { return (T + 15) / 16 * 16; }

// Whether the specialised kernels handle head size hs on this CPU.
bool attention_fast_path(int hs);

// out[T, hs] = softmax(scale * q k^T, causal) v; att[T, Tp] keeps the probabilities.
void attention_head_forward(int hs, float* out, int ldo, float* att, const float* q, const float* k,
                            const float* v, int ld, int T, float scale, float* kt);

// dq, dk, dv [T, hs] (overwritten; row stride ldd) from dout [T, hs] (row stride ldo);
// datt: [T, Tp] scratch.
void attention_head_backward(int hs, float* dq, float* dk, float* dv, int ldd, const float* dout, int ldo,
                             const float* q, const float* k, const float* v, int ld, const float* att, int T,
                             float scale, float* datt, float* kt);

// Dense AVX2 blocks for the tiled kernels, fast-path head sizes only (ld*: row strides):
// s[nr, nc] = scale * x[nr, hs] yt[hs, nc] (s and yt rows at least nc rounded up to 16 wide),
// o[nr, hs] = p[nr, nc] z[nc, hs] (overwritten), o[nc, hs] += p[nr, nc]^T z[nr, hs].
void attention_block_scores(int hs, float* s, int lds, const float* x, int ldx, const float* yt, int ldy, int nr,
                            int nc, float scale);
void attention_block_mix(int hs, float* o, int ldo, const float* p, int ldp, const float* z, int ldz, int nr, int nc);
void attention_block_mix_t(int hs, float* o, int ldo, const float* p, int ldp, const float* z, int ldz, int nr,
                           int nc);

// Tiled attention (flash.cpp), any head size: blocks of kFlashBlock query rows against kFlashBlock
// keys, online softmax, lse[T] (log-sum-exp of each row's scaled scores) saved instead of att.
// Used from T > kFlashFrom: up to 512 the untiled kernels are as fast or faster (measured: at T = 256
// 140-190 ms a step untiled, 205 tiled; at 512 both 275-285; at 1024 550 untiled, 410 tiled) and
// T x T is at most 1 MB a head.
constexpr int kFlashBlock = 64;
constexpr int kFlashFrom = 512;
inline bool attention_tiled(int T) { return T > kFlashFrom; }
// Floats of scratch one thread needs.
int64_t flash_scratch_floats(int hs);

// out[T, hs] (row stride ldo) = softmax(scale * q k^T, causal) v; lse[T].
void flash_head_forward(int hs, float* out, int ldo, float* lse, const float* q, const float* k, const float* v,
                        int ld, int T, float scale, float* scratch);

// dq, dk, dv [T, hs] (overwritten; row stride ldd) from dout and the forward's out (row stride ldo) and lse.
void flash_head_backward(int hs, float* dq, float* dk, float* dv, int ldd, const float* dout, const float* out,
                         int ldo, const float* q, const float* k, const float* v, int ld, const float* lse, int T,
                         float scale, float* scratch);

}  // namespace continuum
