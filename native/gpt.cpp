#include "gpt.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "attention.h"
#include "blas.h"
#include "layers.h"
#include "vmath.h"

namespace continuum {

// ---------------------------------------------------------------------------------------------
// parameter layout, stated once in C++ (src/model/config.ts paramLayout states it in TypeScript, and
// test/model/layout.test.ts holds the two equal through the addon's paramLayout)

namespace {

// A tensor's size from the model's width C and the MLP's hidden width F.
using SizeOf = int64_t (*)(int64_t C, int64_t F);

// One block's tensors in storage order (nanoGPT's state_dict order) and where param_views points at each.
struct BlockTensor {
  const char* name;  // after "transformer.h.<l>."
  SizeOf size;
  bool decay;        // 2-D tensors only
  float* BlockViews::*view;
};

const BlockTensor kBlockTensors[] = {
    {"ln_1.weight", [](int64_t C, int64_t) { return C; }, false, &BlockViews::ln1w},
    {"ln_1.bias", [](int64_t C, int64_t) { return C; }, false, &BlockViews::ln1b},
    {"attn.c_attn.weight", [](int64_t C, int64_t) { return 3 * C * C; }, true, &BlockViews::qkvw},
    {"attn.c_attn.bias", [](int64_t C, int64_t) { return 3 * C; }, false, &BlockViews::qkvb},
    {"attn.c_proj.weight", [](int64_t C, int64_t) { return C * C; }, true, &BlockViews::attprojw},
    {"attn.c_proj.bias", [](int64_t C, int64_t) { return C; }, false, &BlockViews::attprojb},
    {"ln_2.weight", [](int64_t C, int64_t) { return C; }, false, &BlockViews::ln2w},
    {"ln_2.bias", [](int64_t C, int64_t) { return C; }, false, &BlockViews::ln2b},
    {"mlp.c_fc.weight", [](int64_t C, int64_t F) { return F * C; }, true, &BlockViews::fcw},
    {"mlp.c_fc.bias", [](int64_t, int64_t F) { return F; }, false, &BlockViews::fcb},
    {"mlp.c_proj.weight", [](int64_t C, int64_t F) { return C * F; }, true, &BlockViews::fcprojw},
    {"mlp.c_proj.bias", [](int64_t C, int64_t) { return C; }, false, &BlockViews::fcprojb},
};

// Every tensor in storage order; with a base buffer, views points each named view into it.
std::vector<TensorSpan> layout(const GPTConfig& cfg, float* base, ParamViews* views) {
  const int64_t C = cfg.C, F = int64_t(cfg.mlp) * cfg.C;
  std::vector<TensorSpan> spans;
  int64_t offset = 0;
  auto add = [&](const std::string& name, int64_t size, bool decay) -> float* {
    spans.push_back({offset, size, decay, name});
    offset += size;
    return base ? base + spans.back().offset : nullptr;
  };
  ParamViews p;
  p.wte = add("transformer.wte.weight", cfg.V * C, true);
  p.wpe = add("transformer.wpe.weight", cfg.ctx * C, true);
  for (int l = 0; l < cfg.L; l++) {
    BlockViews b;
    const std::string prefix = "transformer.h." + std::to_string(l) + ".";
    for (const BlockTensor& t : kBlockTensors) b.*t.view = add(prefix + t.name, t.size(C, F), t.decay);
    p.blocks.push_back(b);
  }
  p.lnfw = add("transformer.ln_f.weight", C, false);
  p.lnfb = add("transformer.ln_f.bias", C, false);
  // lm_head.weight is tied to transformer.wte.weight: no storage of its own.
  if (views) *views = p;
  return spans;
}

}  // namespace

std::vector<TensorSpan> param_spans(const GPTConfig& cfg) { return layout(cfg, nullptr, nullptr); }

int64_t param_count(const GPTConfig& cfg) {
  const auto spans = param_spans(cfg);
  return spans.back().offset + spans.back().size;
}

ParamViews param_views(const GPTConfig& cfg, float* base) {
  ParamViews p;
  layout(cfg, base, &p);
  return p;
}

// ---------------------------------------------------------------------------------------------
// activations: views into one arena, carved for the current (B, T). N = B * T.

struct GPT::Activations {
  float* residual;                    // [2L+1, N, C]: block l reads 2l, writes 2l+1 (mid), 2l+2
  float *ln1, *ln1_mean, *ln1_rstd;   // [L, N, C], [L, N], [L, N]
  float* qkv;                         // [L, N, 3C]
  float* atty;                        // [L, N, C]   attention output, before c_proj
  float* att;                         // [L, B, H, saved]: probabilities [T, Tp], or lse [T] when tiled
  float *ln2, *ln2_mean, *ln2_rstd;   // [L, N, C], [L, N], [L, N]
  float *fch, *fch_gelu;              // [L, N, 4C]  MLP pre- and post-activation
  float *lnf, *lnf_mean, *lnf_rstd;   // [N, C], [N], [N]
  float* logits;                      // [N, V]      (dlogits in place during backward)
  float* logp;                        // [N]
  // backward scratch, reused by every layer
  float* dres;      // [N, C]  gradient of the residual stream
  float* dln;       // [N, C]  gradient of a LayerNorm output
  float* dqkv;      // [N, 3C]
  float* datty;     // [N, C]
  float* dfch;      // [N, 4C]
  float* datt;      // [threads, attention_scratch_floats(T, hs)]
  float* dln_part;  // [threads, 2C]  LayerNorm weight/bias partial sums
};

GPT::GPT(const GPTConfig& cfg, float* params, float* grads, float* m, float* v, int threads)
    : cfg_(cfg), count_(param_count(cfg)), params_(params), grads_(grads), m_(m), v_(v),
      p_(param_views(cfg, params)), g_(param_views(cfg, grads)), spans_(param_spans(cfg)), team_(threads),
      acts_(new Activations()), partials_(team_.size(), 0.0) {
  blas_use_one_thread();
}

GPT::~GPT() = default;

void GPT::prepare(int B, int T) {
  const int64_t N = int64_t(B) * T, C = cfg_.C, L = cfg_.L, F = int64_t(cfg_.mlp) * C, V = cfg_.V;
  const int64_t P = team_.size();
  const int64_t sizes[] = {
      (2 * L + 1) * N * C,                                // residual
      L * N * C, L * N, L * N,                            // ln1
      L * N * 3 * C,                                      // qkv
      L * N * C,                                          // atty
      L * B * cfg_.H * attention_saved_floats(T),         // att
      L * N * C, L * N, L * N,                            // ln2
      L * N * F, L * N * F,                               // fch, fch_gelu
      N * C, N, N,                                        // lnf
      N * V, N,                                           // logits, logp
      N * C, N * C, N * 3 * C, N * C, N * F,              // dres, dln, dqkv, datty, dfch
      P * attention_scratch_floats(T, cfg_.C / cfg_.H),   // datt (attention scratch)
      P * 2 * C,                                          // dln_part
  };
  auto aligned = [](int64_t floats) { return (floats + 15) / 16 * 16; };  // whole 64-byte lines
  int64_t total = 0;
  for (int64_t s : sizes) total += aligned(s);
  if (arena_floats_ < total) {  // grows only: no allocation in steady state
    arena_.reset(static_cast<float*>(std::aligned_alloc(64, size_t(total) * sizeof(float))));
    if (!arena_) throw std::bad_alloc();
    std::memset(arena_.get(), 0, size_t(total) * sizeof(float));
    arena_floats_ = total;
  }
  float* ptrs[sizeof(sizes) / sizeof(sizes[0])];
  float* cursor = arena_.get();
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    ptrs[i] = cursor;
    cursor += aligned(sizes[i]);
  }
  Activations& a = *acts_;
  float** out[] = {&a.residual, &a.ln1, &a.ln1_mean, &a.ln1_rstd, &a.qkv, &a.atty, &a.att, &a.ln2,
                   &a.ln2_mean, &a.ln2_rstd, &a.fch, &a.fch_gelu, &a.lnf, &a.lnf_mean, &a.lnf_rstd,
                   &a.logits, &a.logp, &a.dres, &a.dln, &a.dqkv, &a.datty, &a.dfch, &a.datt, &a.dln_part};
  static_assert(sizeof(out) / sizeof(out[0]) == sizeof(sizes) / sizeof(sizes[0]), "one view per size");
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) *out[i] = ptrs[i];
  if (int64_t(inputs_.size()) < N) {
    inputs_.resize(N), targets_.resize(N), positions_.resize(N);
  }
}

// Copies tokens [B, stride] into inputs [N] (and targets [N], shifted by one) with positions,
// checking every id: an id out of range would read outside the embedding table.
void GPT::load_tokens(const int32_t* tokens, int B, int T, int stride, bool with_targets) {
  for (int b = 0; b < B; b++) {
    for (int t = 0; t < T + (with_targets ? 1 : 0); t++) {
      const int32_t id = tokens[int64_t(b) * stride + t];
      if (id < 0 || id >= cfg_.V) {
        throw std::range_error("token id " + std::to_string(id) + " at [" + std::to_string(b) + ", " +
                               std::to_string(t) + "] is outside the vocabulary [0, " + std::to_string(cfg_.V) + ")");
      }
      const int64_t n = int64_t(b) * T + t;
      if (t < T) inputs_[n] = id, positions_[n] = t;
      if (t > 0 && with_targets) targets_[n - 1] = id;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// forward and backward passes

void GPT::forward(int B, int T) {
  const int N = B * T, C = cfg_.C, F = cfg_.mlp * cfg_.C, NC = N * C;
  Activations& a = *acts_;
  encoder_forward(team_, a.residual, inputs_.data(), positions_.data(), p_.wte, p_.wpe, N, C);
  for (int l = 0; l < cfg_.L; l++) {
    const BlockViews& w = p_.blocks[l];
    float* res_in = a.residual + int64_t(2 * l) * NC;  // [N, C]
    float* res_mid = res_in + NC;
    float* res_out = res_mid + NC;
    float *ln1 = a.ln1 + int64_t(l) * NC, *ln2 = a.ln2 + int64_t(l) * NC;
    float* qkv = a.qkv + int64_t(l) * N * 3 * C;
    float* atty = a.atty + int64_t(l) * NC;
    float* att = a.att + int64_t(l) * B * cfg_.H * attention_saved_floats(T);
    float *fch = a.fch + int64_t(l) * N * F, *fch_gelu = a.fch_gelu + int64_t(l) * N * F;
    layernorm_forward(team_, ln1, a.ln1_mean + l * N, a.ln1_rstd + l * N, res_in, w.ln1w, w.ln1b, N, C);
    linear_forward(team_, qkv, ln1, w.qkvw, w.qkvb, nullptr, N, C, 3 * C);
    attention_forward(team_, atty, att, a.datt, qkv, B, T, C, cfg_.H);
    linear_forward(team_, res_mid, atty, w.attprojw, w.attprojb, res_in, N, C, C);
    layernorm_forward(team_, ln2, a.ln2_mean + l * N, a.ln2_rstd + l * N, res_mid, w.ln2w, w.ln2b, N, C);
    linear_forward(team_, fch, ln2, w.fcw, w.fcb, nullptr, N, C, F, fch_gelu);  // and fch_gelu = gelu(fch)
    linear_forward(team_, res_out, fch_gelu, w.fcprojw, w.fcprojb, res_mid, N, F, C);
  }
  const float* res_final = a.residual + int64_t(2 * cfg_.L) * NC;
  layernorm_forward(team_, a.lnf, a.lnf_mean, a.lnf_rstd, res_final, p_.lnfw, p_.lnfb, N, C);
  linear_forward(team_, a.logits, a.lnf, p_.wte, nullptr, nullptr, N, C, cfg_.V);  // tied lm_head
}

// Expects dlogits in a.logits; accumulates every parameter gradient into g_.
void GPT::backward(int B, int T) {
  const int N = B * T, C = cfg_.C, F = cfg_.mlp * cfg_.C, NC = N * C;
  Activations& a = *acts_;
  // lm_head (tied): dlnf = dlogits wte, dwte += dlogits^T lnf
  linear_backward(team_, a.dln, g_.wte, nullptr, a.logits, a.lnf, p_.wte, N, C, cfg_.V);
  std::memset(a.dres, 0, sizeof(float) * NC);
  const float* res_final = a.residual + int64_t(2 * cfg_.L) * NC;
  layernorm_backward(team_, a.dres, g_.lnfw, g_.lnfb, a.dln_part, a.dln, res_final, p_.lnfw, a.lnf_mean,
                     a.lnf_rstd, N, C);
  for (int l = cfg_.L - 1; l >= 0; l--) {
    const BlockViews &w = p_.blocks[l], &g = g_.blocks[l];
    const float* res_in = a.residual + int64_t(2 * l) * NC;
    const float* res_mid = res_in + NC;
    const float *ln1 = a.ln1 + int64_t(l) * NC, *ln2 = a.ln2 + int64_t(l) * NC;
    const float* qkv = a.qkv + int64_t(l) * N * 3 * C;
    const float* atty = a.atty + int64_t(l) * NC;
    const float* att = a.att + int64_t(l) * B * cfg_.H * attention_saved_floats(T);
    const float *fch = a.fch + int64_t(l) * N * F, *fch_gelu = a.fch_gelu + int64_t(l) * N * F;
    // MLP: dres is the gradient at the block output
    // dfch: the gradient at the MLP's pre-activation (through the GELU)
    linear_backward(team_, a.dfch, g.fcprojw, g.fcprojb, a.dres, fch_gelu, w.fcprojw, N, F, C, fch);
    linear_backward(team_, a.dln, g.fcw, g.fcb, a.dfch, ln2, w.fcw, N, C, F);
    layernorm_backward(team_, a.dres, g.ln2w, g.ln2b, a.dln_part, a.dln, res_mid, w.ln2w, a.ln2_mean + l * N,
                       a.ln2_rstd + l * N, N, C);
    // attention: dres is now the gradient at res_mid
    linear_backward(team_, a.datty, g.attprojw, g.attprojb, a.dres, atty, w.attprojw, N, C, C);
    attention_backward(team_, a.dqkv, a.datt, a.datty, qkv, att, atty, B, T, C, cfg_.H);
    linear_backward(team_, a.dln, g.qkvw, g.qkvb, a.dqkv, ln1, w.qkvw, N, C, 3 * C);
    layernorm_backward(team_, a.dres, g.ln1w, g.ln1b, a.dln_part, a.dln, res_in, w.ln1w, a.ln1_mean + l * N,
                       a.ln1_rstd + l * N, N, C);
  }
  encoder_backward(team_, g_.wte, g_.wpe, a.dres, inputs_.data(), positions_.data(), N, C);
}

double GPT::forward_backward(const int32_t* tokens, const float* weights, int B, int T, double normalizer,
                             float* logp_out) {
  prepare(B, T);
  load_tokens(tokens, B, T, T + 1, true);
  forward(B, T);
  const double wlogp = crossentropy_forward_backward(team_, acts_->logits, logp_out, targets_.data(), weights,
                                                     float(1.0 / normalizer), B * T, cfg_.V, partials_.data());
  backward(B, T);
  return 0.0 - wlogp / normalizer;  // +0, not -0, when every weight is zero (as the reference)
}

void GPT::logprobs(const int32_t* tokens, int B, int T, float* logp_out) {
  prepare(B, T);
  load_tokens(tokens, B, T, T + 1, true);
  forward(B, T);
  crossentropy_forward_backward(team_, acts_->logits, logp_out, targets_.data(), nullptr, 0.0f, B * T, cfg_.V,
                                partials_.data());
}

void GPT::logits(const int32_t* tokens, int B, int T, float* logits_out) {
  prepare(B, T);
  load_tokens(tokens, B, T, T, false);
  forward(B, T);
  std::memcpy(logits_out, acts_->logits, sizeof(float) * int64_t(B) * T * cfg_.V);
}

// ---------------------------------------------------------------------------------------------
// AdamW with global-norm clipping: two passes over the one parameter buffer.

// sum x[i]^2 in double, from float partials of 4096 elements (exact enough, and vectorised).
CONTINUUM_SIMD static double sum_of_squares(const float* x, int64_t n) {
  double total = 0;
  for (int64_t i0 = 0; i0 < n; i0 += 4096) {
    const int64_t i1 = std::min(n, i0 + 4096), i8 = i0 + (i1 - i0) / 8 * 8;
    Sum8 s;
    for (int64_t i = i0; i < i8; i += 8)
      for (int l = 0; l < 8; l++) s.lane[l] += x[i + l] * x[i + l];
    total += s.total();
    for (int64_t i = i8; i < i1; i++) total += double(x[i]) * x[i];
  }
  return total;
}

// p = p * keep - lr * mhat / (sqrt(vhat) + eps) after the moment updates; zeroes g.
CONTINUUM_SIMD static void adamw_update(float* __restrict p, float* __restrict g, float* __restrict m,
                                        float* __restrict v, int64_t n, float lr, float b1,
                                        float b2, float eps, float bc1, float bc2, float keep, float clip_scale) {
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i] * clip_scale;
    m[i] = b1 * m[i] + (1.0f - b1) * gi;
    v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
    p[i] = p[i] * keep - lr * (m[i] / bc1) / (std::sqrt(v[i] / bc2) + eps);
    g[i] = 0.0f;
  }
}

double GPT::step(const AdamW& opt, int t) {
  const int P = team_.size();
  team_.run(P, [&](int part, int) {
    int64_t i0, i1;
    split_range(count_, P, part, &i0, &i1);
    partials_[part] = sum_of_squares(grads_ + i0, i1 - i0);
  });
  double sumsq = 0;
  for (int p = 0; p < P; p++) sumsq += partials_[p];
  const double norm = std::sqrt(sumsq);
  if (!std::isfinite(norm)) {  // as the reference: no update, the caller decides what to do
    std::memset(grads_, 0, sizeof(float) * count_);
    return norm;
  }
  // As the reference engine: scale by clip / norm when the norm exceeds clip.
  const bool clipping = opt.grad_clip > 0 && std::isfinite(opt.grad_clip) && norm > opt.grad_clip;
  const float clip_scale = clipping ? float(opt.grad_clip / norm) : 1.0f;
  const float b1 = opt.beta1, b2 = opt.beta2;
  const float bc1 = float(1.0 - std::pow(double(b1), t)), bc2 = float(1.0 - std::pow(double(b2), t));
  const float decayed = 1.0f - opt.lr * opt.weight_decay;
  team_.parallel_for(count_, [&](int64_t i0, int64_t i1, int) {
    for (const TensorSpan& s : spans_) {  // the part of each tensor inside [i0, i1)
      const int64_t a = std::max(i0, s.offset), b = std::min(i1, s.offset + s.size);
      if (a < b) {
        adamw_update(params_ + a, grads_ + a, m_ + a, v_ + a, b - a, opt.lr, b1, b2, opt.eps, bc1, bc2,
                     s.decay ? decayed : 1.0f, clip_scale);
      }
    }
  });
  return norm;
}

// ---------------------------------------------------------------------------------------------
// inference with a KV cache

InferenceSession::InferenceSession(GPT& model, int batch, int32_t* lengths)
    : model_(model), cfg_(model.config()), batch_(batch), lengths_(lengths) {
  const int64_t C = cfg_.C, F = int64_t(cfg_.mlp) * C;
  const int64_t R = std::max(cfg_.ctx, batch);  // most positions one call can carry
  kv_.assign(int64_t(cfg_.L) * 2 * batch * cfg_.ctx * C, 0.0f);
  x_.resize(R * C), ln_.resize(R * C), mean_.resize(R), rstd_.resize(R), qkv_.resize(R * 3 * C);
  atty_.resize(R * C), fch_.resize(R * F), fchg_.resize(R * F);
  scores_.resize(int64_t(model.team().size()) * cfg_.ctx);
  rows_.resize(R), pos_.resize(R);
}

void InferenceSession::run_blocks(const int32_t* tokens, const int32_t* row_of, const int32_t* pos, int n) {
  ThreadTeam& team = model_.team();
  const ParamViews& p = model_.weights();
  const int C = cfg_.C, F = cfg_.mlp * cfg_.C, H = cfg_.H, hs = C / H;
  const float scale = 1.0f / std::sqrt(float(hs));
  encoder_forward(team, x_.data(), tokens, pos, p.wte, p.wpe, n, C);
  for (int l = 0; l < cfg_.L; l++) {
    const BlockViews& w = p.blocks[l];
    layernorm_forward(team, ln_.data(), mean_.data(), rstd_.data(), x_.data(), w.ln1w, w.ln1b, n, C);
    linear_forward(team, qkv_.data(), ln_.data(), w.qkvw, w.qkvb, nullptr, n, C, 3 * C);
    for (int i = 0; i < n; i++) {  // store the new keys and values
      const float* q = qkv_.data() + int64_t(i) * 3 * C;
      std::memcpy(kcache(l, row_of[i]) + int64_t(pos[i]) * C, q + C, sizeof(float) * C);
      std::memcpy(vcache(l, row_of[i]) + int64_t(pos[i]) * C, q + 2 * C, sizeof(float) * C);
    }
    // position i attends to positions 0..pos[i] of its row: one (position, head) pair per task
    team.parallel_for(int64_t(n) * H, [&](int64_t j0, int64_t j1, int tid) {
      float* s = scores_.data() + int64_t(tid) * cfg_.ctx;
      for (int64_t j = j0; j < j1; j++) {
        const int i = int(j / H), h = int(j % H), keys = pos[i] + 1;
        const float* q = qkv_.data() + int64_t(i) * 3 * C + h * hs;
        const float* k = kcache(l, row_of[i]) + h * hs;  // [keys, hs], row stride C
        const float* v = vcache(l, row_of[i]) + h * hs;
        sgemv(false, keys, hs, scale, k, C, q, 0.0f, s);
        const float sum = vexp_sum(s, keys, vmax(s, keys));
        sgemv(true, keys, hs, 1.0f / sum, v, C, s, 0.0f, atty_.data() + int64_t(i) * C + h * hs);
      }
    });
    linear_forward(team, x_.data(), atty_.data(), w.attprojw, w.attprojb, x_.data(), n, C, C);
    layernorm_forward(team, ln_.data(), mean_.data(), rstd_.data(), x_.data(), w.ln2w, w.ln2b, n, C);
    linear_forward(team, fch_.data(), ln_.data(), w.fcw, w.fcb, nullptr, n, C, F, fchg_.data());
    linear_forward(team, x_.data(), fchg_.data(), w.fcprojw, w.fcprojb, x_.data(), n, F, C);
  }
}

void InferenceSession::prefill(int row, const int32_t* tokens, int n, float* logits_out) {
  if (row < 0 || row >= batch_) {
    throw std::range_error("prefill: row " + std::to_string(row) + " is outside the session's batch of " +
                           std::to_string(batch_));
  }
  if (lengths_[row] != 0) throw std::range_error("prefill: row " + std::to_string(row) + " is not empty");
  if (n < 1) throw std::invalid_argument("prefill: the prompt must hold at least one token");
  if (n > cfg_.ctx) {
    throw std::range_error("prefill: row " + std::to_string(row) + " would hold " + std::to_string(n) +
                           " tokens, more than contextLength " + std::to_string(cfg_.ctx));
  }
  for (int i = 0; i < n; i++) {
    if (tokens[i] < 0 || tokens[i] >= cfg_.V) throw std::range_error("prefill: token id " + std::to_string(tokens[i]) + " is outside the vocabulary");
    rows_[i] = row, pos_[i] = i;
  }
  run_blocks(tokens, rows_.data(), pos_.data(), n);
  lengths_[row] = n;
  // logits of the last position only: [1, C] -> [1, V]
  ThreadTeam& team = model_.team();
  const ParamViews& p = model_.weights();
  const float* last = x_.data() + int64_t(n - 1) * cfg_.C;
  layernorm_forward(team, ln_.data(), mean_.data(), rstd_.data(), last, p.lnfw, p.lnfb, 1, cfg_.C);
  linear_forward(team, logits_out, ln_.data(), p.wte, nullptr, nullptr, 1, cfg_.C, cfg_.V);
}

void InferenceSession::decode(const int32_t* rows, const int32_t* tokens, int n, float* logits_out) {
  if (n < 1 || n > batch_) throw std::range_error("decode: between 1 and " + std::to_string(batch_) + " rows, got " + std::to_string(n));
  std::vector<bool> seen(batch_, false);
  for (int i = 0; i < n; i++) {
    const int r = rows[i];
    if (r < 0 || r >= batch_ || seen[r]) throw std::range_error("decode: rows must be distinct and in [0, " + std::to_string(batch_) + ")");
    seen[r] = true;
    if (lengths_[r] < 0) throw std::range_error("decode: lengths[" + std::to_string(r) + "] was overwritten");
    if (lengths_[r] >= cfg_.ctx) {
      throw std::range_error("decode: row " + std::to_string(r) + " is full (context length " +
                             std::to_string(cfg_.ctx) + ")");
    }
    if (tokens[i] < 0 || tokens[i] >= cfg_.V) throw std::range_error("decode: token id " + std::to_string(tokens[i]) + " is outside the vocabulary");
    pos_[i] = lengths_[r];
  }
  run_blocks(tokens, rows, pos_.data(), n);
  for (int i = 0; i < n; i++) lengths_[rows[i]] += 1;
  ThreadTeam& team = model_.team();
  const ParamViews& p = model_.weights();
  layernorm_forward(team, ln_.data(), mean_.data(), rstd_.data(), x_.data(), p.lnfw, p.lnfb, n, cfg_.C);
  linear_forward(team, logits_out, ln_.data(), p.wte, nullptr, nullptr, n, cfg_.C, cfg_.V);
}

}  // namespace continuum
