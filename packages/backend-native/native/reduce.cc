// Reductions (sum, mean, max, min) over the innermost axis or the leading axis, and row softmax.
// Sums accumulate in double, as the cpu backend's JS numbers do.
#include "kernels.h"
#include "fast-math.h"
#include <cmath>
#include <vector>

namespace peft {

enum Reduce { kSum, kMean, kMax, kMin };

static inline float reduce_row(int op, const float* x, int64_t n) {
  if (op == kSum || op == kMean) {
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < n; j++) s += x[j];
    return static_cast<float>(op == kMean ? s / static_cast<double>(n) : s);
  }
  float m = n > 0 ? x[0] : (op == kMax ? -INFINITY : INFINITY);
  bool nan = false;
  for (int64_t j = 0; j < n; j++) {
    const float v = x[j];
    nan |= v != v;
    m = op == kMax ? (v > m ? v : m) : (v < m ? v : m);
  }
  return nan ? NAN : m;
}

napi_value ReduceBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (op, out, x, outer, inner): x [outer, inner] -> out [outer]
  const int op = a.i(0);
  float* out = a.f32(1);
  const float* x = a.f32(2);
  const int64_t outer = a.i64(3), inner = a.i64(4);
#pragma omp parallel for schedule(static) if (outer * inner >= kParallelGrain && outer > 1)
  for (int64_t r = 0; r < outer; r++) out[r] = reduce_row(op, x + r * inner, inner);
  return undefined(env);
}

napi_value ReduceLeadingBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (op, out, x, outer, inner): x [outer, inner] -> out [inner] (bias gradients)
  const int op = a.i(0);
  float* out = a.f32(1);
  const float* x = a.f32(2);
  const int64_t outer = a.i64(3), inner = a.i64(4);
  const int threads = max_threads();
  const int64_t chunks = (threads > 1 && outer * inner >= kParallelGrain) ? threads : 1;
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t c = 0; c < chunks; c++) {
    const int64_t lo = inner * c / chunks, hi = inner * (c + 1) / chunks;
    if (op == kSum || op == kMean) {
      std::vector<double> acc(hi - lo, 0.0);
      for (int64_t r = 0; r < outer; r++) {
        const float* row = x + r * inner + lo;
#pragma omp simd
        for (int64_t j = 0; j < hi - lo; j++) acc[j] += row[j];
      }
      for (int64_t j = lo; j < hi; j++) out[j] = static_cast<float>(op == kMean ? acc[j - lo] / outer : acc[j - lo]);
    } else {
      for (int64_t j = lo; j < hi; j++) out[j] = op == kMax ? -INFINITY : INFINITY;
      std::vector<char> nan(hi - lo, 0);
      for (int64_t r = 0; r < outer; r++) {
        const float* row = x + r * inner;
        for (int64_t j = lo; j < hi; j++) {
          const float v = row[j];
          nan[j - lo] |= v != v;
          out[j] = op == kMax ? (v > out[j] ? v : out[j]) : (v < out[j] ? v : out[j]);
        }
      }
      for (int64_t j = lo; j < hi; j++) if (nan[j - lo]) out[j] = NAN;
    }
  }
  return undefined(env);
}

// out[r, :] = softmax(x[r, :]); exp underflow returns exact 0, never a denormal.
void softmax_rows(float* out, const float* x, int64_t rows, int64_t cols) {
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelGrain && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    float* yr = out + r * cols;
    float m = -INFINITY;
#pragma omp simd reduction(max : m)
    for (int64_t j = 0; j < cols; j++) m = xr[j] > m ? xr[j] : m;
    float s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < cols; j++) {
      const float e = fast_exp(xr[j] - m);
      yr[j] = e;
      s += e;
    }
    const float inv = 1.0f / s;
#pragma omp simd
    for (int64_t j = 0; j < cols; j++) yr[j] *= inv;
  }
}

napi_value SoftmaxBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (out, x, rows, cols)
  softmax_rows(a.f32(0), a.f32(1), a.i64(2), a.i64(3));
  return undefined(env);
}

}  // namespace peft
