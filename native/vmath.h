// Vectorised elementwise math for the loops BLAS does not cover: exp (softmax) and GELU.
// AVX2/FMA versions are chosen at run time when the CPU has them, so one build runs on any x86-64;
// elsewhere the portable versions run. Both agree with the float reference to ~1e-7 relative.
#pragma once

#include <cstdint>

namespace continuum {

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
