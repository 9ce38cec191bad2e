// The GPT: parameters as named views into one buffer, an activation arena, the training forward and
// backward passes, AdamW, and a KV-cache inference session. Plain C++ over raw buffers; the Node
// binding (addon.cpp) lends it the parameter, gradient and moment buffers owned by JavaScript.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "threads.h"

namespace continuum {

struct GPTConfig {
  int V;    // vocabulary size
  int ctx;  // context length (max positions)
  int C;    // channels (d_model)
  int H;    // heads
  int L;    // layers
  int mlp;  // MLP ratio: hidden = mlp * C
};

// One transformer block's tensors, in nanoGPT state_dict order.
struct BlockViews {
  float *ln1w, *ln1b;          // [C], [C]
  float *qkvw, *qkvb;          // [3C, C], [3C]
  float *attprojw, *attprojb;  // [C, C], [C]
  float *ln2w, *ln2b;          // [C], [C]
  float *fcw, *fcb;            // [4C, C], [4C]
  float *fcprojw, *fcprojb;    // [C, 4C], [C]
};

// Named views into the parameter buffer (the layout: param_spans in gpt.cpp; lm_head tied to wte).
struct ParamViews {
  float* wte;  // [V, C]
  float* wpe;  // [ctx, C]
  std::vector<BlockViews> blocks;
  float *lnfw, *lnfb;  // [C], [C]
};

// Where each tensor lives, and whether AdamW decays it (2-D tensors only).
struct TensorSpan {
  int64_t offset, size;
  bool decay;
  std::string name;  // nanoGPT's state_dict name
};

std::vector<TensorSpan> param_spans(const GPTConfig& cfg);
int64_t param_count(const GPTConfig& cfg);
ParamViews param_views(const GPTConfig& cfg, float* base);

struct AdamW {
  float lr, beta1, beta2, eps, weight_decay, grad_clip;
};

class InferenceSession;

class GPT {
 public:
  // params, grads, m, v: param_count(cfg) floats each, owned by the caller and outliving the GPT.
  GPT(const GPTConfig& cfg, float* params, float* grads, float* m, float* v, int threads);
  ~GPT();

  // tokens: [B, T+1]; weights: [B, T] (null = all ones); logp_out: [B, T].
  // Accumulates the gradient of -sum(w * logp) / normalizer into grads; returns that loss.
  double forward_backward(const int32_t* tokens, const float* weights, int B, int T, double normalizer,
                          float* logp_out);
  // tokens: [B, T+1] -> logp_out [B, T], no gradients.
  void logprobs(const int32_t* tokens, int B, int T, float* logp_out);
  // tokens: [B, T] -> logits_out [B, T, V].
  void logits(const int32_t* tokens, int B, int T, float* logits_out);
  // AdamW (bias-corrected, decoupled decay on 2-D tensors) after global-norm clipping; t is the
  // step number (1 for the first step). Zeroes the gradients. Returns the norm before clipping;
  // when it is not finite, nothing is updated.
  double step(const AdamW& opt, int t);

  const GPTConfig& config() const { return cfg_; }
  ThreadTeam& team() { return team_; }
  const ParamViews& weights() const { return p_; }

 private:
  struct Activations;
  void prepare(int B, int T);
  void load_tokens(const int32_t* tokens, int B, int T, int stride, bool with_targets);
  void forward(int B, int T);
  void backward(int B, int T);

  GPTConfig cfg_;
  int64_t count_;
  float *params_, *grads_, *m_, *v_;
  ParamViews p_, g_;
  std::vector<TensorSpan> spans_;
  ThreadTeam team_;
  // Activations, allocated for the largest (B, T) seen, then reused; 64-byte aligned so that vector
  // loads never straddle cache lines (the attention kernels run 10-30% faster on aligned rows).
  std::unique_ptr<float, void (*)(void*)> arena_{nullptr, std::free};
  int64_t arena_floats_ = 0;
  std::vector<int32_t> inputs_, targets_, positions_;
  std::unique_ptr<Activations> acts_;
  std::vector<double> partials_;  // one partial sum per team chunk (loss, gradient norm)
};

// A KV cache over `batch` rows of up to ctx tokens each; lengths[batch] is lent by the caller.
class InferenceSession {
 public:
  InferenceSession(GPT& model, int batch, int32_t* lengths);
  // Appends tokens [n] to row `row`; logits_out: [V], the next-token logits after the last one.
  void prefill(int row, const int32_t* tokens, int n, float* logits_out);
  // Appends tokens[i] to row rows[i] (distinct rows); logits_out: [n, V].
  void decode(const int32_t* rows, const int32_t* tokens, int n, float* logits_out);

 private:
  // Runs the blocks over n new positions (row row_of[i], position pos[i]), storing their keys and
  // values in the cache; leaves the final residual stream in x_ [n, C].
  void run_blocks(const int32_t* tokens, const int32_t* row_of, const int32_t* pos, int n);
  float* kcache(int layer, int row) { return kv_.data() + (int64_t(layer) * 2 * batch_ + row) * cfg_.ctx * cfg_.C; }
  float* vcache(int layer, int row) { return kcache(layer, row) + int64_t(batch_) * cfg_.ctx * cfg_.C; }

  GPT& model_;
  GPTConfig cfg_;
  int batch_;
  int32_t* lengths_;
  std::vector<float> kv_;  // [L, 2 (k, v), batch, ctx, C]
  std::vector<float> x_, ln_, mean_, rstd_, qkv_, atty_, fch_, fchg_, scores_;
  std::vector<int32_t> rows_, pos_;
};

}  // namespace continuum
