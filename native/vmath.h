// Vectorised elementwise math for the loops BLAS does not cover: exp (softmax) and GELU.
// AVX2/FMA versions are chosen at run time when the CPU has them, so one build runs on any x86-64; in
// WebAssembly the SIMD128 versions run, elsewhere the portable ones. Both agree with the float reference to ~1e-7 relative.
#pragma once

#include <cstdint>

// Marks a plain loop function to be compiled twice, for AVX2 and for baseline x86-64, the better one
// picked when the library loads (GCC/Clang function multiversioning). No -ffast-math: the loops keep
// their IEEE semantics, and reductions that should vectorise say so with explicit lanes (sum8 below).
#if defined(__x86_64__) && defined(__linux__) && !defined(__clang__)
#define CONTINUUM_SIMD __attribute__((target_clones("avx2", "default")))
#else
#define CONTINUUM_SIMD
#endif

namespace continuum {

// Eight partial sums, one per vector lane, added at the end: a summation order the compiler may
// vectorise without reassociating (plain `s += x[i]` stays scalar without -ffast-math).
struct Sum8 {
  float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  float total() const {
    return ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
  }
};

// max(x[0..n)).
float vmax(const float* x, int64_t n);
// x[i] = exp(x[i] - shift) in place; returns sum_i x[i] (accumulated in float lanes, then double).
float vexp_sum(float* x, int64_t n, float shift);
// x[i] *= s.
void vscale(float* x, int64_t n, float s);
// out = gelu(inp), the tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
void gelu_forward(float* out, const float* inp, int64_t n);
// dinout[i] *= gelu'(inp[i]).
void gelu_backward(float* dinout, const float* inp, int64_t n);

}  // namespace continuum
