// Vectorisable float maths with denormal-free results, plus an FTZ/DAZ guard for the calling thread.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <xmmintrin.h>
#include <pmmintrin.h>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace peft {

// Sets flush-to-zero and denormals-are-zero for the current thread while alive, then restores
// the caller's MXCSR: JS number semantics on the main thread stay untouched between calls.
struct FlushDenormals {
  unsigned int saved;
  FlushDenormals() : saved(_mm_getcsr()) { _mm_setcsr(saved | 0x8040); }
  ~FlushDenormals() { _mm_setcsr(saved); }
};

inline float bits_to_float(int32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

// exp(x), Cephes-style: 2^n * p(r), r = x - n ln2; max rel. error ~1e-7 on [-87, 88].
// Results below FLT_MIN are returned as exact 0 (never a denormal); NaN propagates.
#pragma omp declare simd notinbranch
inline float fast_exp(float x) {
  const float hi = 88.3762626647949f, lo = -87.3365447504f;
  float xc = x > hi ? hi : x;
  xc = xc < lo ? lo : xc;
  float fx = xc * 1.44269504088896341f;
  fx = std::nearbyint(fx);
  float r = xc - fx * 0.693359375f;
  r = r - fx * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t n = static_cast<int32_t>(fx);
  float scale = bits_to_float((n + 127) << 23);
  float y = p * scale;
  y = x < lo ? 0.0f : y;
  y = x > hi ? INFINITY : y;
  return x != x ? x : y;
}

#pragma omp declare simd notinbranch
inline float fast_sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }

// tanh(x) = sign(x) (1 - 2 / (exp(2|x|) + 1)); absolute error <= ~1.5e-7.
#pragma omp declare simd notinbranch
inline float fast_tanh(float x) {
  float ax = x < 0 ? -x : x;
  float e = fast_exp(2.0f * (ax > 20.0f ? 20.0f : ax));
  float t = 1.0f - 2.0f / (e + 1.0f);
  // Small |x|: the odd Taylor series is more accurate than the cancellation above.
  float x2 = ax * ax;
  float small = ax * (1.0f + x2 * (-0.333333333f + x2 * (0.133333333f + x2 * -0.053968254f)));
  t = ax < 0.1f ? small : t;
  t = x < 0 ? -t : t;
  return x != x ? x : t;
}

inline int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// Below this many elements an elementwise loop stays on the calling thread.
constexpr int64_t kParallelGrain = 1 << 15;

}  // namespace peft
