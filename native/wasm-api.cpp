// The WebAssembly binding: GPT (native/gpt.h) and its KV cache behind a flat C API, the wasm
// counterpart of addon.cpp. src/model/wasm.ts allocates the parameter, gradient and moment buffers
// in the wasm heap with malloc and lends them here; every array argument is a heap pointer.
// Arguments are validated in TypeScript; C++ errors (a full row, a bad token) are caught here and
// kept for cm_last_error(), since exceptions do not cross into JavaScript.
#include <emscripten/emscripten.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <string>
#include <vector>

#include "gpt.h"
#include "threads.h"

using continuum::GPT;
using continuum::GPTConfig;
using continuum::InferenceSession;

namespace {

std::string last_error;

// Runs f, recording a C++ exception's message instead of letting it escape; returns f's value or fallback.
template <typename R, typename F>
R guarded(R fallback, F&& f) {
  last_error.clear();
  try {
    return f();
  } catch (const std::exception& e) {
    last_error = e.what();
  } catch (...) {
    last_error = "unknown C++ exception";
  }
  return fallback;
}

}  // namespace

extern "C" {

// The message of the last failed call, or "" when it succeeded.
EMSCRIPTEN_KEEPALIVE const char* cm_last_error() { return last_error.c_str(); }

EMSCRIPTEN_KEEPALIVE double cm_param_count(int V, int ctx, int C, int H, int L, int mlp) {
  return double(continuum::param_count(GPTConfig{V, ctx, C, H, L, mlp}));
}

// A GPT over the caller's buffers (param_count floats each); null on failure.
EMSCRIPTEN_KEEPALIVE GPT* cm_model_create(int V, int ctx, int C, int H, int L, int mlp, float* params, float* grads,
                                          float* m, float* v, int threads) {
  return guarded<GPT*>(nullptr, [&] { return new GPT(GPTConfig{V, ctx, C, H, L, mlp}, params, grads, m, v, threads); });
}

EMSCRIPTEN_KEEPALIVE void cm_model_free(GPT* model) { delete model; }

// tokens [B, T+1], weights [B, T], logp_out [B, T] -> loss (NaN on failure).
EMSCRIPTEN_KEEPALIVE double cm_forward_backward(GPT* model, const int32_t* tokens, const float* weights, int B, int T,
                                                double normalizer, float* logp_out) {
  return guarded(0.0 / 0.0, [&] { return model->forward_backward(tokens, weights, B, T, normalizer, logp_out); });
}

// tokens [B, T+1] -> out [B, T]; 0 on success.
EMSCRIPTEN_KEEPALIVE int cm_logprobs(GPT* model, const int32_t* tokens, int B, int T, float* out) {
  return guarded(1, [&] { return model->logprobs(tokens, B, T, out), 0; });
}

// tokens [B, T] -> out [B, T, V]; 0 on success.
EMSCRIPTEN_KEEPALIVE int cm_logits(GPT* model, const int32_t* tokens, int B, int T, float* out) {
  return guarded(1, [&] { return model->logits(tokens, B, T, out), 0; });
}

// AdamW step t (1-based) -> gradient norm before clipping.
EMSCRIPTEN_KEEPALIVE double cm_step(GPT* model, float lr, float beta1, float beta2, float eps, float weight_decay,
                                    float grad_clip, int t) {
  return guarded(0.0 / 0.0, [&] { return model->step({lr, beta1, beta2, eps, weight_decay, grad_clip}, t); });
}

// A KV cache over `batch` rows; lengths [batch] lives in the heap and is advanced by the session.
EMSCRIPTEN_KEEPALIVE InferenceSession* cm_session_create(GPT* model, int batch, int32_t* lengths) {
  return guarded<InferenceSession*>(nullptr, [&] { return new InferenceSession(*model, batch, lengths); });
}

EMSCRIPTEN_KEEPALIVE void cm_session_free(InferenceSession* session) { delete session; }

// tokens [n] -> out [V]; 0 on success.
EMSCRIPTEN_KEEPALIVE int cm_session_prefill(InferenceSession* session, int row, const int32_t* tokens, int n, float* out) {
  return guarded(1, [&] { return session->prefill(row, tokens, n, out), 0; });
}

// rows [n], tokens [n] -> out [n, V]; 0 on success.
EMSCRIPTEN_KEEPALIVE int cm_session_decode(InferenceSession* session, const int32_t* rows, const int32_t* tokens, int n,
                                           float* out) {
  return guarded(1, [&] { return session->decode(rows, tokens, n, out), 0; });
}

// How many distinct threads of a team of `threads` ran chunks of one region of `chunks` chunks of about
// 1 ms each. For tests: a team whose pthread workers never started still finishes (the caller claims
// every chunk), only slower, so correct results alone do not show that the threads run.
EMSCRIPTEN_KEEPALIVE int cm_team_probe(int threads, int chunks) {
  continuum::ThreadTeam team(threads);
  std::vector<std::atomic<int>> ran(size_t(team.size()));
  team.run(chunks, [&](int, int tid) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1);
    while (std::chrono::steady_clock::now() < until) {
    }
    ran[size_t(tid)].fetch_add(1);
  });
  int used = 0;
  for (auto& r : ran) used += r.load() > 0;
  return used;
}

}  // extern "C"
