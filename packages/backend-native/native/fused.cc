// Fused row kernels with their backward passes: GELU (tanh form), LayerNorm / RMSNorm,
// softmax cross-entropy. Statistics are recomputed in the backward pass from x (cheap, no saved state).
#include "kernels.h"
#include "fast-math.h"
#include <cmath>
#include <vector>

namespace peft {

static constexpr float kGeluC = 0.7978845608028654f;  // sqrt(2 / pi)
static constexpr float kGeluA = 0.044715f;

napi_value GeluBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (out, x): 0.5 x (1 + tanh(c (x + a x^3)))  [HF gelu_new]
  size_t n = 0;
  float* out = a.f32(0, &n);
  const float* x = a.f32(1);
#pragma omp parallel for simd schedule(static) if (n >= (size_t)kParallelGrain)
  for (int64_t i = 0; i < (int64_t)n; i++) {
    const float v = x[i];
    out[i] = 0.5f * v * (1.0f + fast_tanh(kGeluC * (v + kGeluA * v * v * v)));
  }
  return undefined(env);
}

napi_value GeluGradBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (dx, x, dy)
  size_t n = 0;
  float* dx = a.f32(0, &n);
  const float* x = a.f32(1);
  const float* dy = a.f32(2);
#pragma omp parallel for simd schedule(static) if (n >= (size_t)kParallelGrain)
  for (int64_t i = 0; i < (int64_t)n; i++) {
    const float v = x[i];
    const float t = fast_tanh(kGeluC * (v + kGeluA * v * v * v));
    const float dz = kGeluC * (1.0f + 3.0f * kGeluA * v * v);
    dx[i] = dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * dz);
  }
  return undefined(env);
}

// Row statistics: LayerNorm mean and 1/sqrt(var + eps); RMSNorm mean 0 and 1/sqrt(mean(x^2) + eps).
static inline void row_stats(const float* x, int64_t n, float eps, bool rms, float* mean, float* rstd) {
  double s = 0;
  if (!rms) {
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < n; j++) s += x[j];
  }
  const float mu = rms ? 0.0f : static_cast<float>(s / n);
  double q = 0;
#pragma omp simd reduction(+ : q)
  for (int64_t j = 0; j < n; j++) q += (double)(x[j] - mu) * (x[j] - mu);
  *mean = mu;
  *rstd = 1.0f / std::sqrt(static_cast<float>(q / n) + eps);
}

napi_value NormBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (out, x, gamma, beta|null, rows, cols, eps, rms)
  float* out = a.f32(0);
  const float* x = a.f32(1);
  const float* g = a.f32(2);
  napi_valuetype t;
  napi_typeof(env, a.argv[3], &t);
  const float* beta = (t == napi_null || t == napi_undefined) ? nullptr : a.f32(3);
  const int64_t rows = a.i64(4), cols = a.i64(5);
  const float eps = static_cast<float>(a.d(6));
  const bool rms = a.i(7) != 0;
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelGrain && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    float* yr = out + r * cols;
    float mu, rs;
    row_stats(xr, cols, eps, rms, &mu, &rs);
#pragma omp simd
    for (int64_t j = 0; j < cols; j++) yr[j] = (xr[j] - mu) * rs * g[j] + (beta != nullptr ? beta[j] : 0.0f);
  }
  return undefined(env);
}

// dxhat = dy * gamma; LayerNorm: dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat));
// RMSNorm: dx = rstd (dxhat - xhat mean(dxhat xhat)). dgamma = sum_rows(dy xhat), dbeta = sum_rows(dy).
napi_value NormGradBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (dx, dgamma, dbeta|null, x, gamma, dy, rows, cols, eps, rms)
  float* dx = a.f32(0);
  float* dg = a.f32(1);
  napi_valuetype t;
  napi_typeof(env, a.argv[2], &t);
  float* db = (t == napi_null || t == napi_undefined) ? nullptr : a.f32(2);
  const float* x = a.f32(3);
  const float* g = a.f32(4);
  const float* dy = a.f32(5);
  const int64_t rows = a.i64(6), cols = a.i64(7);
  const float eps = static_cast<float>(a.d(8));
  const bool rms = a.i(9) != 0;
  const int threads = (rows * cols >= kParallelGrain && rows > 1) ? max_threads() : 1;
  std::vector<double> accG(threads * cols, 0.0), accB(threads * cols, 0.0);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int tid = 0; tid < threads; tid++) {
    double* ag = accG.data() + tid * cols;
    double* ab = accB.data() + tid * cols;
    const int64_t lo = rows * tid / threads, hi = rows * (tid + 1) / threads;
    for (int64_t r = lo; r < hi; r++) {
      const float* xr = x + r * cols;
      const float* dyr = dy + r * cols;
      float* dxr = dx + r * cols;
      float mu, rs;
      row_stats(xr, cols, eps, rms, &mu, &rs);
      double s1 = 0, s2 = 0;
#pragma omp simd reduction(+ : s1, s2)
      for (int64_t j = 0; j < cols; j++) {
        const float xh = (xr[j] - mu) * rs;
        const float dxh = dyr[j] * g[j];
        s1 += dxh;
        s2 += (double)dxh * xh;
        ag[j] += (double)dyr[j] * xh;
        ab[j] += dyr[j];
      }
      const float m1 = rms ? 0.0f : static_cast<float>(s1 / cols), m2 = static_cast<float>(s2 / cols);
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) {
        const float xh = (xr[j] - mu) * rs;
        dxr[j] = rs * (dyr[j] * g[j] - m1 - xh * m2);
      }
    }
  }
  for (int64_t j = 0; j < cols; j++) {
    double sg = 0, sb = 0;
    for (int tid = 0; tid < threads; tid++) {
      sg += accG[tid * cols + j];
      sb += accB[tid * cols + j];
    }
    dg[j] = static_cast<float>(sg);
    if (db != nullptr) db[j] = static_cast<float>(sb);
  }
  return undefined(env);
}

// loss = -scale * sum_i w_i log softmax(logits_i)[t_i]   (PyTorch cross_entropy with weights / count)
napi_value CrossEntropyBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (out[1], logits, targets Int32Array, weights, rows, cols, scale)
  float* out = a.f32(0);
  const float* l = a.f32(1);
  const int32_t* tgt = a.i32(2);
  const float* w = a.f32(3);
  const int64_t rows = a.i64(4), cols = a.i64(5);
  const double scale = a.d(6);
  double total = 0;
#pragma omp parallel for schedule(static) reduction(+ : total) if (rows * cols >= kParallelGrain)
  for (int64_t r = 0; r < rows; r++) {
    if (w[r] == 0.0f) continue;
    const float* lr = l + r * cols;
    float m = -INFINITY;
    for (int64_t j = 0; j < cols; j++) m = lr[j] > m ? lr[j] : m;
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < cols; j++) s += fast_exp(lr[j] - m);
    const int32_t k = tgt[r];
    const double logp = (k >= 0 && k < cols) ? (double)lr[k] - m - std::log(s) : NAN;
    total += -(double)w[r] * logp;
  }
  out[0] = static_cast<float>(total * scale);
  return undefined(env);
}

// dlogits_i = dy * scale * w_i (softmax(logits_i) - onehot(t_i))
napi_value CrossEntropyGradBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (dlogits, logits, targets, weights, rows, cols, scale * dy)
  float* dl = a.f32(0);
  const float* l = a.f32(1);
  const int32_t* tgt = a.i32(2);
  const float* w = a.f32(3);
  const int64_t rows = a.i64(4), cols = a.i64(5);
  const float scale = static_cast<float>(a.d(6));
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelGrain)
  for (int64_t r = 0; r < rows; r++) {
    float* dr = dl + r * cols;
    const float f = scale * w[r];
    if (f == 0.0f) {
      for (int64_t j = 0; j < cols; j++) dr[j] = 0.0f;
      continue;
    }
    softmax_rows(dr, l + r * cols, 1, cols);
#pragma omp simd
    for (int64_t j = 0; j < cols; j++) dr[j] *= f;
    const int32_t k = tgt[r];
    if (k >= 0 && k < cols) dr[k] -= f;
  }
  return undefined(env);
}

}  // namespace peft
