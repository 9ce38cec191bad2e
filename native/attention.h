// Causal self-attention of one (batch row, head) pair, specialised for the common head sizes
// (16, 32, 64) with AVX2/FMA register-blocked loops. At these sizes a BLAS call per tiny product
// costs more in packing and call overhead than the arithmetic, so hand loops win by a wide margin;
// other head sizes (or CPUs without AVX2) use the BLAS path in layers.cpp.
//
// Layout: q, k, v, dout rows are strided views (row stride ld*); att and datt are [T, Tp] with
// Tp = attention_stride(T) (rows padded to whole vectors); kt is a [hs, Tp] transpose scratch.
#pragma once

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

}  // namespace continuum
