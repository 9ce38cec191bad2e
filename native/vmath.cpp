#include "vmath.h"

#include <cmath>

#if defined(__x86_64__)
#include <immintrin.h>
#define CONTINUUM_X86 1
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace continuum {

static constexpr float kGeluK = 0.7978845608028654f;  // sqrt(2 / pi)
static constexpr float kGeluC = 0.044715f;

// ---------------------------------------------------------------------------------------------
// Portable versions. GELU uses 0.5 (1 + tanh(u)) = sigmoid(2u), one exp instead of a tanh.

static float vmax_portable(const float* x, int64_t n) {
  float m = -INFINITY;
  for (int64_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

static float vexp_sum_portable(float* x, int64_t n, float shift) {
  double sum = 0;
  for (int64_t i = 0; i < n; i++) {
    x[i] = std::exp(x[i] - shift);
    sum += x[i];
  }
  return static_cast<float>(sum);
}

static void gelu_forward_portable(float* out, const float* inp, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float x = inp[i];
    const float u = kGeluK * (x + kGeluC * x * x * x);
    out[i] = x / (1.0f + std::exp(-2.0f * u));
  }
}

static void gelu_backward_portable(float* d, const float* inp, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float x = inp[i];
    const float u = kGeluK * (x + kGeluC * x * x * x);
    const float s = 1.0f / (1.0f + std::exp(-2.0f * u));  // = 0.5 (1 + tanh u)
    // d/dx [x s(2u)] = s + x * 2 s (1 - s) * du/dx, since 1 - tanh^2 = 4 s (1 - s).
    d[i] *= s + x * 2.0f * s * (1.0f - s) * kGeluK * (1.0f + 3.0f * kGeluC * x * x);
  }
}

// ---------------------------------------------------------------------------------------------
// AVX2 + FMA versions: exp by the Cephes range reduction (x = n ln2 + r, |r| <= ln2 / 2) and a
// degree-6 polynomial, accurate to ~1 ulp on the clamped range.

#if CONTINUUM_X86
#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static inline __m256 exp256(__m256 x) {
  x = _mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f));
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.3365447504f));  // exp stays a normal float
  __m256 fx = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f));
  fx = _mm256_floor_ps(fx);
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
  __m256 y = _mm256_set1_ps(1.9875691500e-4f);
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
  __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(fx), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

AVX2 static inline float hsum256(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

AVX2 static float vmax_avx2(const float* x, int64_t n) {
  int64_t i = 0;
  float m = -INFINITY;
  if (n >= 8) {
    __m256 vm = _mm256_loadu_ps(x);
    for (i = 8; i + 8 <= n; i += 8) vm = _mm256_max_ps(vm, _mm256_loadu_ps(x + i));
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(vm), _mm256_extractf128_ps(vm, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_shuffle_ps(s, s, 1));
    m = _mm_cvtss_f32(s);
  }
  for (; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

AVX2 static float vexp_sum_avx2(float* x, int64_t n, float shift) {
  const __m256 vs = _mm256_set1_ps(shift);
  __m256 acc = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(x + i), vs));
    _mm256_storeu_ps(x + i, e);
    acc = _mm256_add_ps(acc, e);
  }
  float sum = hsum256(acc);
  for (; i < n; i++) {
    x[i] = std::exp(x[i] - shift);
    sum += x[i];
  }
  return sum;
}

// s = sigmoid(2u) = 1 / (1 + exp(-2u)), u = k (x + c x^3).
AVX2 static inline __m256 gelu_gate256(__m256 x) {
  const __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
  const __m256 u = _mm256_mul_ps(_mm256_set1_ps(kGeluK), _mm256_fmadd_ps(_mm256_set1_ps(kGeluC), x3, x));
  const __m256 e = exp256(_mm256_mul_ps(_mm256_set1_ps(-2.0f), u));
  return _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

AVX2 static void gelu_forward_avx2(float* out, const float* inp, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(inp + i);
    _mm256_storeu_ps(out + i, _mm256_mul_ps(x, gelu_gate256(x)));
  }
  gelu_forward_portable(out + i, inp + i, n - i);
}

AVX2 static void gelu_backward_avx2(float* d, const float* inp, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 k2 = _mm256_set1_ps(2.0f * kGeluK);
  const __m256 c3 = _mm256_set1_ps(3.0f * kGeluC);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(inp + i);
    const __m256 s = gelu_gate256(x);
    // s + x * 2k s (1 - s) (1 + 3c x^2)
    const __m256 inner = _mm256_fmadd_ps(c3, _mm256_mul_ps(x, x), one);
    const __m256 ds = _mm256_mul_ps(_mm256_mul_ps(k2, s), _mm256_sub_ps(one, s));
    const __m256 g = _mm256_fmadd_ps(_mm256_mul_ps(x, ds), inner, s);
    _mm256_storeu_ps(d + i, _mm256_mul_ps(_mm256_loadu_ps(d + i), g));
  }
  gelu_backward_portable(d + i, inp + i, n - i);
}

static const bool kVector = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#define vmax_vector vmax_avx2
#define vexp_sum_vector vexp_sum_avx2
#define gelu_forward_vector gelu_forward_avx2
#define gelu_backward_vector gelu_backward_avx2

#elif defined(__wasm_simd128__)
// ---------------------------------------------------------------------------------------------
// WebAssembly SIMD128 versions (the browser engine): the AVX2 code's exp on 4 lanes, without FMA.

static constexpr bool kVector = true;

static inline v128_t splat(float v) { return wasm_f32x4_splat(v); }
static inline v128_t madd(v128_t a, v128_t b, v128_t c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }

static inline v128_t exp128(v128_t x) {
  x = wasm_f32x4_min(x, splat(88.3762626647949f));
  x = wasm_f32x4_max(x, splat(-87.3365447504f));  // exp stays a normal float
  const v128_t fx = wasm_f32x4_floor(madd(x, splat(1.44269504088896341f), splat(0.5f)));
  x = wasm_f32x4_sub(x, wasm_f32x4_mul(fx, splat(0.693359375f)));
  x = wasm_f32x4_sub(x, wasm_f32x4_mul(fx, splat(-2.12194440e-4f)));
  v128_t y = splat(1.9875691500e-4f);
  y = madd(y, x, splat(1.3981999507e-3f));
  y = madd(y, x, splat(8.3334519073e-3f));
  y = madd(y, x, splat(4.1665795894e-2f));
  y = madd(y, x, splat(1.6666665459e-1f));
  y = madd(y, x, splat(5.0000001201e-1f));
  y = madd(y, wasm_f32x4_mul(x, x), wasm_f32x4_add(x, splat(1.0f)));
  const v128_t e = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(fx), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(y, e);
}

static float vmax_vector(const float* x, int64_t n) {
  int64_t i = 0;
  float m = -INFINITY;
  if (n >= 4) {
    v128_t vm = wasm_v128_load(x);
    for (i = 4; i + 4 <= n; i += 4) vm = wasm_f32x4_pmax(vm, wasm_v128_load(x + i));
    alignas(16) float lanes[4];
    wasm_v128_store(lanes, vm);
    for (float v : lanes) m = v > m ? v : m;
  }
  for (; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

static float vexp_sum_vector(float* x, int64_t n, float shift) {
  const v128_t vs = splat(shift);
  v128_t acc = splat(0.0f);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t e = exp128(wasm_f32x4_sub(wasm_v128_load(x + i), vs));
    wasm_v128_store(x + i, e);
    acc = wasm_f32x4_add(acc, e);
  }
  alignas(16) float lanes[4];
  wasm_v128_store(lanes, acc);
  float sum = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
  for (; i < n; i++) {
    x[i] = std::exp(x[i] - shift);
    sum += x[i];
  }
  return sum;
}

// s = sigmoid(2u) = 1 / (1 + exp(-2u)), u = k (x + c x^3).
static inline v128_t gelu_gate128(v128_t x) {
  const v128_t x3 = wasm_f32x4_mul(wasm_f32x4_mul(x, x), x);
  const v128_t u = wasm_f32x4_mul(splat(kGeluK), madd(splat(kGeluC), x3, x));
  return wasm_f32x4_div(splat(1.0f), wasm_f32x4_add(splat(1.0f), exp128(wasm_f32x4_mul(splat(-2.0f), u))));
}

static void gelu_forward_vector(float* out, const float* inp, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t x = wasm_v128_load(inp + i);
    wasm_v128_store(out + i, wasm_f32x4_mul(x, gelu_gate128(x)));
  }
  gelu_forward_portable(out + i, inp + i, n - i);
}

static void gelu_backward_vector(float* d, const float* inp, int64_t n) {
  const v128_t one = splat(1.0f), k2 = splat(2.0f * kGeluK), c3 = splat(3.0f * kGeluC);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t x = wasm_v128_load(inp + i);
    const v128_t s = gelu_gate128(x);
    // s + x * 2k s (1 - s) (1 + 3c x^2)
    const v128_t inner = madd(c3, wasm_f32x4_mul(x, x), one);
    const v128_t ds = wasm_f32x4_mul(wasm_f32x4_mul(k2, s), wasm_f32x4_sub(one, s));
    const v128_t g = madd(wasm_f32x4_mul(x, ds), inner, s);
    wasm_v128_store(d + i, wasm_f32x4_mul(wasm_v128_load(d + i), g));
  }
  gelu_backward_portable(d + i, inp + i, n - i);
}

#else
static const bool kVector = false;
#define vmax_vector vmax_portable
#define vexp_sum_vector vexp_sum_portable
#define gelu_forward_vector gelu_forward_portable
#define gelu_backward_vector gelu_backward_portable
#endif

// ---------------------------------------------------------------------------------------------

float vmax(const float* x, int64_t n) { return kVector ? vmax_vector(x, n) : vmax_portable(x, n); }

float vexp_sum(float* x, int64_t n, float shift) {
  return kVector ? vexp_sum_vector(x, n, shift) : vexp_sum_portable(x, n, shift);
}

void vscale(float* x, int64_t n, float s) {
  for (int64_t i = 0; i < n; i++) x[i] *= s;
}

void gelu_forward(float* out, const float* inp, int64_t n) {
  if (kVector) gelu_forward_vector(out, inp, n);
  else gelu_forward_portable(out, inp, n);
}

void gelu_backward(float* d, const float* inp, int64_t n) {
  if (kVector) gelu_backward_vector(d, inp, n);
  else gelu_backward_portable(d, inp, n);
}

}  // namespace continuum
