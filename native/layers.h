// The GPT's layers as forward/backward pairs (llm.c style), each split across the thread team.
// Shapes: B batch, T time, C channels, H heads, N = B * T rows, OC/IC output/input features.
// Weights follow PyTorch's Linear layout: W [OC, IC]. Backward functions ACCUMULATE (+=) into
// parameter gradients, so gradients add up over calls until the optimizer step.
#pragma once

#include <cstdint>

#include "threads.h"

namespace continuum {

// out[N, C] = wte[inp[n]] + wpe[pos[n]];  inp, pos: [N]
void encoder_forward(ThreadTeam& team, float* out, const int32_t* inp, const int32_t* pos, const float* wte,
                     const float* wpe, int N, int C);
// dwte[inp[n]] += dout[n], dwpe[pos[n]] += dout[n]
void encoder_backward(ThreadTeam& team, float* dwte, float* dwpe, const float* dout, const int32_t* inp,
                      const int32_t* pos, int N, int C);

// out[N, C] = (inp - mean) * rstd * w + b, eps 1e-5; saves mean[N], rstd[N] for the backward pass.
void layernorm_forward(ThreadTeam& team, float* out, float* mean, float* rstd, const float* inp, const float* w,
                       const float* b, int N, int C);
// dinp[N, C] += ...; dw[C], db[C] += ...; scratch: [team.size(), 2C]
void layernorm_backward(ThreadTeam& team, float* dinp, float* dw, float* db, float* scratch, const float* dout,
                        const float* inp, const float* w, const float* mean, const float* rstd, int N, int C);

// out[N, OC] = inp[N, IC] W^T (+ bias[OC]) (+ residual[N, OC]); bias, residual may be null, and
// residual may be out itself (a residual add in place).
// When gelu_out is not null, also gelu_out[N, OC] = gelu(out), fused while each block is in cache.
void linear_forward(ThreadTeam& team, float* out, const float* inp, const float* W, const float* bias,
                    const float* residual, int N, int IC, int OC, float* gelu_out = nullptr);
// dinp[N, IC] = dout W (overwritten); dW[OC, IC] += dout^T inp; dbias[OC] += sum_n dout[n] (unless null).
// When gelu_inp is not null, inp = gelu(gelu_inp) and dinp becomes the gradient at gelu_inp instead
// (dinp *= gelu'(gelu_inp)), fused while each block is in cache.
void linear_backward(ThreadTeam& team, float* dinp, float* dW, float* dbias, const float* dout, const float* inp,
                     const float* W, int N, int IC, int OC, const float* gelu_inp = nullptr);

// Causal self-attention. qkv: [B, T, 3C] (q, k, v, each [H, hs] per position), out: [B, T, C],
// att: [B, H, attention_saved_floats(T)]: the softmax probabilities [T, Tp], Tp = attention_stride(T)
// (row t is zero past column t), or when attention_tiled(T) each row's log-sum-exp [T];
// scratch: [team.size(), attention_scratch_floats(T, hs)]. The backward pass also reads the
// forward's out (the tiled kernels need dout . out per row).
int64_t attention_saved_floats(int T);
int64_t attention_scratch_floats(int T, int hs);
void attention_forward(ThreadTeam& team, float* out, float* att, float* scratch, const float* qkv, int B, int T,
                       int C, int H);
// dqkv[B, T, 3C] = d/dqkv (overwritten); scratch as for the forward pass.
void attention_backward(ThreadTeam& team, float* dqkv, float* scratch, const float* dout, const float* qkv,
                        const float* att, const float* out, int B, int T, int C, int H);

// Weighted next-token log-likelihood over logits [N, V].
// logp[n] = log softmax(logits[n])[targets[n]]; returns sum_n weights[n] * logp[n].
// When grad_scale != 0, logits become dlogits = grad_scale * weights[n] * (softmax - onehot(target))
// in place; grad_scale = 1/normalizer makes them the gradient of -sum(w logp)/normalizer.
// partials: [team.size()] scratch for the per-chunk sums.
double crossentropy_forward_backward(ThreadTeam& team, float* logits, float* logp, const int32_t* targets,
                                     const float* weights, float grad_scale, int N, int V, double* partials);

}  // namespace continuum
