// Scaled dot-product attention with an additive bias, per (batch, head), forward and backward:
//   S = scale Q K^T + bias,  P = softmax(S),  O = P V           Q: [T, D], K, V: [Tk, D]
//   dV = P^T dO,  dP = dO V^T,  dS = P (dP - rowsum(dP P)),  dQ = scale dS K,  dK = scale dS^T Q
// Heads run in parallel, each BLAS call on one thread.
#include "kernels.h"
#include "fast-math.h"
#include <vector>

namespace peft {

napi_value AttentionBinding(napi_env env, napi_callback_info info) {
  // (O, P, q, k, v, bias, B, H, T, Tk, D, biasBatched, scale)
  Args a(env, info);
  float* O = a.f32(0);
  float* P = a.f32(1);
  const float *q = a.f32(2), *k = a.f32(3), *v = a.f32(4), *bias = a.f32(5);
  const int64_t B = a.i64(6), H = a.i64(7), T = a.i64(8), Tk = a.i64(9), D = a.i64(10);
  const bool biasBatched = a.i(11) != 0;
  const float scale = static_cast<float>(a.d(12));
  FlushDenormals ftz;
#pragma omp parallel for schedule(static) if (B * H > 1 && B * H * T * Tk * D >= (1 << 15))
  for (int64_t bh = 0; bh < B * H; bh++) {
    FlushDenormals inner;
    const int64_t b = bh / H;
    const float* Q = q + bh * T * D;
    const float* K = k + bh * Tk * D;
    const float* V = v + bh * Tk * D;
    float* S = P + bh * T * Tk;
    const float* bb = bias + (biasBatched ? b * T * Tk : 0);
    sgemm_serial(false, true, T, Tk, D, scale, Q, D, K, D, 0.0f, S, Tk);  // [T, D] @ [Tk, D]^T -> [T, Tk]
    for (int64_t i = 0; i < T * Tk; i++) S[i] += bb[i];
    softmax_rows(S, S, T, Tk);
    sgemm_serial(false, false, T, D, Tk, 1.0f, S, Tk, V, D, 0.0f, O + bh * T * D, D);  // [T, Tk] @ [Tk, D]
  }
  return undefined(env);
}

napi_value AttentionGradBinding(napi_env env, napi_callback_info info) {
  // (dQ, dK, dV, q, k, v, P, dO, B*H, T, Tk, D, scale)
  Args a(env, info);
  float *dQ = a.f32(0), *dK = a.f32(1), *dV = a.f32(2);
  const float *q = a.f32(3), *k = a.f32(4), *v = a.f32(5), *P = a.f32(6), *dO = a.f32(7);
  const int64_t BH = a.i64(8), T = a.i64(9), Tk = a.i64(10), D = a.i64(11);
  const float scale = static_cast<float>(a.d(12));
  FlushDenormals ftz;
  const int threads = (BH > 1 && BH * T * Tk * D >= (1 << 15)) ? max_threads() : 1;
  std::vector<float> scratch(threads * T * Tk);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t bh = 0; bh < BH; bh++) {
    FlushDenormals inner;
    int tid = 0;
#ifdef _OPENMP
    tid = omp_get_thread_num();
#endif
    float* dS = scratch.data() + tid * T * Tk;
    const float* Pb = P + bh * T * Tk;
    const float* dOb = dO + bh * T * D;
    sgemm_serial(true, false, Tk, D, T, 1.0f, Pb, Tk, dOb, D, 0.0f, dV + bh * Tk * D, D);        // P^T dO
    sgemm_serial(false, true, T, Tk, D, 1.0f, dOb, D, v + bh * Tk * D, D, 0.0f, dS, Tk);          // dO V^T
    for (int64_t i = 0; i < T; i++) {
      const float* p = Pb + i * Tk;
      float* ds = dS + i * Tk;
      float dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int64_t j = 0; j < Tk; j++) dot += ds[j] * p[j];
#pragma omp simd
      for (int64_t j = 0; j < Tk; j++) ds[j] = p[j] * (ds[j] - dot);
    }
    sgemm_serial(false, false, T, D, Tk, scale, dS, Tk, k + bh * Tk * D, D, 0.0f, dQ + bh * T * D, D);  // dS K
    sgemm_serial(true, false, Tk, D, T, scale, dS, Tk, q + bh * T * D, D, 0.0f, dK + bh * Tk * D, D);   // dS^T Q
  }
  return undefined(env);
}

}  // namespace peft
