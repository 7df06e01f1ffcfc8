// Unary maths and NumPy-broadcast binary ops on float32. Shapes arrive already collapsed by JS
// (adjacent axes with the same broadcast pattern merged), so rank <= 4 here.
#include "kernels.h"
#include "fast-math.h"
#include <cmath>

namespace peft {

enum Unary { kExp, kLog, kTanh, kSigmoid, kSqrt, kRsqrt, kSquare, kNeg, kRelu, kAbs, kReciprocal };
enum Binary { kAdd, kSub, kMul, kDiv, kPow, kMax, kMin, kSqDiff };

template <int OP>
static inline float unary_op(float x) {
  if constexpr (OP == kExp) return fast_exp(x);
  if constexpr (OP == kLog) return std::log(x);
  if constexpr (OP == kTanh) return fast_tanh(x);
  if constexpr (OP == kSigmoid) return fast_sigmoid(x);
  if constexpr (OP == kSqrt) return std::sqrt(x);
  if constexpr (OP == kRsqrt) return 1.0f / std::sqrt(x);
  if constexpr (OP == kSquare) return x * x;
  if constexpr (OP == kNeg) return -x;
  if constexpr (OP == kRelu) return x < 0.0f ? 0.0f : x;
  if constexpr (OP == kAbs) return std::fabs(x);
  if constexpr (OP == kReciprocal) return 1.0f / x;
  return x;
}

template <int OP>
static void unary_loop(float* out, const float* x, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n >= kParallelGrain)
  for (int64_t i = 0; i < n; i++) out[i] = unary_op<OP>(x[i]);
}

template <int OP>
static inline float binary_op(float a, float b) {
  if constexpr (OP == kAdd) return a + b;
  if constexpr (OP == kSub) return a - b;
  if constexpr (OP == kMul) return a * b;
  if constexpr (OP == kDiv) return a / b;
  if constexpr (OP == kPow) return std::pow(a, b);
  if constexpr (OP == kMax) return (a != a || b != b) ? NAN : (a > b ? a : b);
  if constexpr (OP == kMin) return (a != a || b != b) ? NAN : (a < b ? a : b);
  if constexpr (OP == kSqDiff) return (a - b) * (a - b);
  return 0.0f;
}

// Innermost run of length n: a and b advance by sa, sb (0 = broadcast, 1 = contiguous).
template <int OP>
static inline void binary_run(float* out, const float* a, const float* b, int64_t n, int sa, int sb) {
  if (sa == 1 && sb == 1) {
#pragma omp simd
    for (int64_t i = 0; i < n; i++) out[i] = binary_op<OP>(a[i], b[i]);
  } else if (sa == 1) {
    const float bv = b[0];
#pragma omp simd
    for (int64_t i = 0; i < n; i++) out[i] = binary_op<OP>(a[i], bv);
  } else if (sb == 1) {
    const float av = a[0];
#pragma omp simd
    for (int64_t i = 0; i < n; i++) out[i] = binary_op<OP>(av, b[i]);
  } else {
    const float v = binary_op<OP>(a[0], b[0]);
    for (int64_t i = 0; i < n; i++) out[i] = v;
  }
}

// dims[r], aStride[r], bStride[r] in elements (0 on broadcast axes).
template <int OP>
static void binary_loop(float* out, const float* a, const float* b, int rank, const int32_t* dims, const int32_t* as,
                        const int32_t* bs) {
  const int64_t inner = dims[rank - 1];
  int64_t rows = 1;
  for (int k = 0; k < rank - 1; k++) rows *= dims[k];
  const int sa = as[rank - 1], sb = bs[rank - 1];
#pragma omp parallel for schedule(static) if (rows * inner >= kParallelGrain && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    int64_t rem = r, ao = 0, bo = 0;
    for (int k = rank - 2; k >= 0; k--) {
      const int64_t idx = rem % dims[k];
      rem /= dims[k];
      ao += idx * as[k];
      bo += idx * bs[k];
    }
    binary_run<OP>(out + r * inner, a + ao, b + bo, inner, sa, sb);
  }
}

// Large single-run case: split the run across threads.
template <int OP>
static void binary_flat(float* out, const float* a, const float* b, int64_t n, int sa, int sb) {
  const int threads = max_threads();
  if (n < kParallelGrain || threads == 1) {
    binary_run<OP>(out, a, b, n, sa, sb);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int t = 0; t < threads; t++) {
    const int64_t lo = n * t / threads, hi = n * (t + 1) / threads;
    binary_run<OP>(out + lo, a + lo * sa, b + lo * sb, hi - lo, sa, sb);
  }
}

template <int OP>
static void binary_dispatch(float* out, const float* a, const float* b, int rank, const int32_t* p) {
  const int32_t *dims = p, *as = p + rank, *bs = p + 2 * rank;
  if (rank == 1) binary_flat<OP>(out, a, b, dims[0], as[0], bs[0]);
  else binary_loop<OP>(out, a, b, rank, dims, as, bs);
}

napi_value UnaryBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (op, out, x)
  size_t n = 0;
  float* out = a.f32(1, &n);
  const float* x = a.f32(2);
  switch (a.i(0)) {
    case kExp: unary_loop<kExp>(out, x, n); break;
    case kLog: unary_loop<kLog>(out, x, n); break;
    case kTanh: unary_loop<kTanh>(out, x, n); break;
    case kSigmoid: unary_loop<kSigmoid>(out, x, n); break;
    case kSqrt: unary_loop<kSqrt>(out, x, n); break;
    case kRsqrt: unary_loop<kRsqrt>(out, x, n); break;
    case kSquare: unary_loop<kSquare>(out, x, n); break;
    case kNeg: unary_loop<kNeg>(out, x, n); break;
    case kRelu: unary_loop<kRelu>(out, x, n); break;
    case kAbs: unary_loop<kAbs>(out, x, n); break;
    case kReciprocal: unary_loop<kReciprocal>(out, x, n); break;
    default: break;
  }
  return undefined(env);
}

napi_value BinaryBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (op, out, a, b, rank, params Int32Array [dims, aStrides, bStrides])
  float* out = a.f32(1);
  const float* x = a.f32(2);
  const float* y = a.f32(3);
  const int rank = a.i(4);
  const int32_t* p = a.i32(5);
  switch (a.i(0)) {
    case kAdd: binary_dispatch<kAdd>(out, x, y, rank, p); break;
    case kSub: binary_dispatch<kSub>(out, x, y, rank, p); break;
    case kMul: binary_dispatch<kMul>(out, x, y, rank, p); break;
    case kDiv: binary_dispatch<kDiv>(out, x, y, rank, p); break;
    case kPow: binary_dispatch<kPow>(out, x, y, rank, p); break;
    case kMax: binary_dispatch<kMax>(out, x, y, rank, p); break;
    case kMin: binary_dispatch<kMin>(out, x, y, rank, p); break;
    case kSqDiff: binary_dispatch<kSqDiff>(out, x, y, rank, p); break;
    default: break;
  }
  return undefined(env);
}

}  // namespace peft
