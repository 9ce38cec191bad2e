// Node-API binding: exposes GPT (native/gpt.h) as `Model` and its KV cache as `Session`.
// JavaScript owns the parameter, gradient and moment buffers (Float32Arrays) and lends them here;
// the binding holds references so they outlive the model. Arguments are validated in
// src/model/native.ts; the checks here only keep a wrong call from touching foreign memory.
#include <napi.h>

#include <memory>
#include <stdexcept>

#include <chrono>
#include <vector>

#include "blas.h"
#include "gpt.h"
#include "threads.h"

namespace {

using continuum::GPT;
using continuum::GPTConfig;
using continuum::InferenceSession;

template <typename T> constexpr napi_typedarray_type kArrayType = napi_float32_array;
template <> constexpr napi_typedarray_type kArrayType<int32_t> = napi_int32_array;

template <typename T>
T* data_of(const Napi::Value& value, size_t need, const char* what) {
  using Array = Napi::TypedArrayOf<T>;
  if (!value.IsTypedArray()) throw Napi::TypeError::New(value.Env(), std::string(what) + ": expected a typed array");
  Array a = value.As<Array>();
  if (a.TypedArrayType() != kArrayType<T>) {
    throw Napi::TypeError::New(value.Env(), std::string(what) + ": wrong element type");
  }
  if (a.ElementLength() < need) {
    throw Napi::RangeError::New(value.Env(), std::string(what) + ": needs " + std::to_string(need) +
                                                 " elements, got " + std::to_string(a.ElementLength()));
  }
  return a.Data();
}

int int_arg(const Napi::CallbackInfo& info, size_t i, int min, const char* what) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(what) + ": expected a number");
  const int v = info[i].As<Napi::Number>().Int32Value();
  if (v < min) throw Napi::RangeError::New(info.Env(), std::string(what) + " must be at least " + std::to_string(min));
  return v;
}

float float_arg(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().FloatValue(); }

// Turns C++ errors from the engine into JavaScript exceptions.
template <typename F>
auto guarded(const Napi::Env& env, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::RangeError::New(env, e.what());
  }
}

// A GPTConfig from src/model/config.ts's object (validated there).
GPTConfig config_of(const Napi::Value& value) {
  Napi::Object c = value.As<Napi::Object>();
  auto field = [&](const char* name) { return c.Get(name).As<Napi::Number>().Int32Value(); };
  return {field("vocabSize"), field("contextLength"), field("dModel"), field("nHeads"), field("nLayers"), field("mlpRatio")};
}

// paramLayout(config) -> [{ name, offset, size, decay }]: the layout the engine uses, for the test that holds
// it equal to config.ts paramLayout.
Napi::Value ParamLayout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto spans = continuum::param_spans(config_of(info[0]));
  Napi::Array out = Napi::Array::New(env, spans.size());
  for (size_t i = 0; i < spans.size(); i++) {
    Napi::Object t = Napi::Object::New(env);
    t.Set("name", spans[i].name);
    t.Set("offset", double(spans[i].offset));
    t.Set("size", double(spans[i].size));
    t.Set("decay", spans[i].decay);
    out.Set(uint32_t(i), t);
  }
  return out;
}

class Model : public Napi::ObjectWrap<Model> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Model",
                       {InstanceMethod("forwardBackward", &Model::ForwardBackward),
                        InstanceMethod("logprobs", &Model::Logprobs), InstanceMethod("logits", &Model::Logits),
                        InstanceMethod("step", &Model::Step), InstanceMethod("dispose", &Model::Dispose)});
  }

  // new Model(config, params, grads, m, v, threads)
  explicit Model(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Model>(info) {
    Napi::Env env = info.Env();
    cfg_ = config_of(info[0]);
    const size_t count = size_t(continuum::param_count(cfg_));
    float* buffers[4];
    const char* names[4] = {"params", "grads", "m", "v"};
    for (int i = 0; i < 4; i++) {
      buffers[i] = data_of<float>(info[1 + i], count, names[i]);
      refs_[i] = Napi::Persistent(info[1 + i].As<Napi::Object>());
    }
    const int threads = int_arg(info, 5, 1, "threads");
    gpt_ = std::make_unique<GPT>(cfg_, buffers[0], buffers[1], buffers[2], buffers[3], threads);
    (void)env;
  }

  GPT& gpt(const Napi::Env& env) {
    if (!gpt_) throw Napi::Error::New(env, "the native engine was disposed");
    return *gpt_;
  }
  bool disposed() const { return !gpt_; }

 private:
  // forwardBackward(tokens [B, T+1], weights [B, T], B, T, normalizer, logpOut [B, T]) -> loss
  Napi::Value ForwardBackward(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const int B = int_arg(info, 2, 1, "B"), T = int_arg(info, 3, 1, "T");
    check_T(env, T);
    const int32_t* tokens = data_of<int32_t>(info[0], size_t(B) * (T + 1), "tokens");
    const float* weights = data_of<float>(info[1], size_t(B) * T, "weights");
    const double normalizer = info[4].As<Napi::Number>().DoubleValue();
    float* out = data_of<float>(info[5], size_t(B) * T, "logprobs");
    const double loss = guarded(env, [&] { return gpt(env).forward_backward(tokens, weights, B, T, normalizer, out); });
    return Napi::Number::New(env, loss);
  }

  // logprobs(tokens [B, T+1], B, T, out [B, T])
  Napi::Value Logprobs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const int B = int_arg(info, 1, 1, "B"), T = int_arg(info, 2, 1, "T");
    check_T(env, T);
    const int32_t* tokens = data_of<int32_t>(info[0], size_t(B) * (T + 1), "tokens");
    float* out = data_of<float>(info[3], size_t(B) * T, "logprobs");
    guarded(env, [&] { gpt(env).logprobs(tokens, B, T, out); });
    return env.Undefined();
  }

  // logits(tokens [B, T], B, T, out [B, T, V])
  Napi::Value Logits(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const int B = int_arg(info, 1, 1, "B"), T = int_arg(info, 2, 1, "T");
    check_T(env, T);
    const int32_t* tokens = data_of<int32_t>(info[0], size_t(B) * T, "tokens");
    float* out = data_of<float>(info[3], size_t(B) * T * cfg_.V, "logits");
    guarded(env, [&] { gpt(env).logits(tokens, B, T, out); });
    return env.Undefined();
  }

  // step(lr, beta1, beta2, eps, weightDecay, gradClip, t) -> grad norm before clipping
  Napi::Value Step(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const continuum::AdamW opt{float_arg(info, 0), float_arg(info, 1), float_arg(info, 2),
                               float_arg(info, 3), float_arg(info, 4), float_arg(info, 5)};
    const int t = int_arg(info, 6, 1, "t");
    return Napi::Number::New(env, gpt(env).step(opt, t));
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    gpt_.reset();
    for (auto& r : refs_) r.Reset();
    return info.Env().Undefined();
  }

  void check_T(const Napi::Env& env, int T) {
    if (T > cfg_.ctx) {
      throw Napi::RangeError::New(env, "T = " + std::to_string(T) + " exceeds the context length " +
                                           std::to_string(cfg_.ctx));
    }
  }

  GPTConfig cfg_;
  std::unique_ptr<GPT> gpt_;
  Napi::ObjectReference refs_[4];
};

class Session : public Napi::ObjectWrap<Session> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Session",
                       {InstanceMethod("prefill", &Session::Prefill), InstanceMethod("decode", &Session::Decode),
                        InstanceMethod("dispose", &Session::Dispose)});
  }

  // new Session(model, batch, lengths Int32Array [batch])
  explicit Session(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Session>(info) {
    Napi::Env env = info.Env();
    Model* model = Model::Unwrap(info[0].As<Napi::Object>());
    batch_ = int_arg(info, 1, 1, "batch");
    int32_t* lengths = data_of<int32_t>(info[2], size_t(batch_), "lengths");
    model_ = model;
    model_ref_ = Napi::Persistent(info[0].As<Napi::Object>());
    lengths_ref_ = Napi::Persistent(info[2].As<Napi::Object>());
    V_ = model->gpt(env).config().V;
    session_ = std::make_unique<InferenceSession>(model->gpt(env), batch_, lengths);
  }

 private:
  InferenceSession& session(const Napi::Env& env) {
    if (!session_) throw Napi::Error::New(env, "the inference session was disposed");
    // The session reads the model's weights: it must not outlive them.
    if (model_->disposed()) throw Napi::Error::New(env, "the native engine of this session was disposed");
    return *session_;
  }

  // prefill(row, tokens Int32Array [n], out Float32Array [V])
  Napi::Value Prefill(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const int row = int_arg(info, 0, 0, "row");
    if (!info[1].IsTypedArray()) throw Napi::TypeError::New(env, "tokens: expected an Int32Array");
    const int n = int(info[1].As<Napi::Int32Array>().ElementLength());
    const int32_t* tokens = data_of<int32_t>(info[1], size_t(n), "tokens");
    float* out = data_of<float>(info[2], size_t(V_), "logits");
    guarded(env, [&] { session(env).prefill(row, tokens, n, out); });
    return env.Undefined();
  }

  // decode(rows Int32Array [n], tokens Int32Array [n], out Float32Array [n, V])
  Napi::Value Decode(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "rows: expected an Int32Array");
    const int n = int(info[0].As<Napi::Int32Array>().ElementLength());
    const int32_t* rows = data_of<int32_t>(info[0], size_t(n), "rows");
    const int32_t* tokens = data_of<int32_t>(info[1], size_t(n), "tokens");
    float* out = data_of<float>(info[2], size_t(n) * V_, "logits");
    guarded(env, [&] { session(env).decode(rows, tokens, n, out); });
    return env.Undefined();
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    session_.reset();
    model_ref_.Reset();
    lengths_ref_.Reset();
    return info.Env().Undefined();
  }

  int batch_ = 0, V_ = 0;
  Model* model_ = nullptr;  // kept alive by model_ref_
  std::unique_ptr<InferenceSession> session_;
  Napi::ObjectReference model_ref_, lengths_ref_;
};

// measureSgemm(threads, size, seconds) -> GFLOP/s: every team thread multiplies its own
// [size, size] matrices with single-threaded BLAS, as the engine does; the machine's peak for MFU.
Napi::Value MeasureSgemm(const Napi::CallbackInfo& info) {
  const int threads = int_arg(info, 0, 1, "threads"), n = int_arg(info, 1, 16, "size");
  const double seconds = info[2].As<Napi::Number>().DoubleValue();
  continuum::blas_use_one_thread();
  continuum::ThreadTeam team(threads);
  std::vector<std::vector<float>> mats(threads, std::vector<float>(size_t(3) * n * n, 0.001f));
  auto round = [&] {
    team.run(threads, [&](int part, int) {
      float* a = mats[part].data();
      continuum::sgemm(false, false, n, n, n, 1.0f, a, n, a + n * n, n, 0.0f, a + 2 * n * n, n);
    });
  };
  round();  // warm-up: page in the matrices, start the threads
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  int rounds = 0;
  double elapsed = 0;
  do {
    round();
    rounds++;
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  } while (elapsed < seconds);
  return Napi::Number::New(info.Env(), 2.0 * n * n * n * threads * rounds / elapsed / 1e9);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("measureSgemm", Napi::Function::New(env, MeasureSgemm));
  exports.Set("paramLayout", Napi::Function::New(env, ParamLayout));
  exports.Set("Model", Model::Define(env));
  exports.Set("Session", Session::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(continuum_native, Init)
