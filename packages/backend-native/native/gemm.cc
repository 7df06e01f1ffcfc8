// Batched single-precision GEMM over oneDNN (dnnl_sgemm) or a CBLAS (OpenBLAS), row-major.
// Work is split across OpenMP threads by batch, then by rows or columns; each piece calls the
// BLAS on one thread, so the BLAS's own threading never nests inside ours.
#include "kernels.h"
#include "fast-math.h"
#include <algorithm>

#if defined(PEFT_USE_DNNL)
#include <oneapi/dnnl/dnnl.h>
#else
#include <cblas.h>
#endif

namespace peft {

void sgemm_serial(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                  const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    if (beta == 0.0f)
      for (int64_t i = 0; i < M; i++) std::fill(C + i * ldc, C + i * ldc + N, 0.0f);
    return;
  }
#if defined(PEFT_USE_DNNL)
  dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K,
              alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
#endif
}

static inline void sgemm1(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
                          const float* B, int64_t ldb, float* C, int64_t ldc) {
  sgemm_serial(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
}

void gemm_batched(const GemmArgs& g) {
  FlushDenormals ftz;
  const int64_t M = g.M, N = g.N, K = g.K;
  const int64_t lda = g.transA ? M : K, ldb = g.transB ? K : N;
  const int threads = max_threads();
  // Pieces: batch x parts, where parts split the larger of M and N so every thread gets work.
  int64_t parts = 1;
  bool splitM = M >= N;
  if (threads > 1 && g.batch < threads && M * N * K >= (1 << 15)) parts = threads;
  const int64_t total = g.batch * parts;
  auto run = [&](int64_t piece) {
    const int64_t b = piece / parts, part = piece % parts;
    const float* A = g.a + (g.aBatched ? b * M * K : 0);
    const float* B = g.b + (g.bBatched ? b * K * N : 0);
    float* C = g.out + b * M * N;
    if (parts == 1) {
      sgemm1(g.transA, g.transB, M, N, K, A, lda, B, ldb, C, N);
      return;
    }
    const int64_t extent = splitM ? M : N;
    const int64_t lo = extent * part / parts, hi = extent * (part + 1) / parts;
    if (hi <= lo) return;
    if (splitM) {
      const float* Ap = g.transA ? A + lo : A + lo * K;
      sgemm1(g.transA, g.transB, hi - lo, N, K, Ap, lda, B, ldb, C + lo * N, N);
    } else {
      const float* Bp = g.transB ? B + lo * K : B + lo;
      sgemm1(g.transA, g.transB, M, hi - lo, K, A, lda, Bp, ldb, C + lo, N);
    }
  };
  if (threads > 1 && total > 1 && g.batch * M * N * K >= (1 << 15)) {
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < total; p++) run(p);
  } else {
    for (int64_t p = 0; p < total; p++) run(p);
  }
  // Epilogue: bias [N] and activation, fused into one pass over C.
  if (g.bias != nullptr || g.activation != 0) {
    const int64_t rows = g.batch * M;
    const float* bias = g.bias;
    const int act = g.activation;
#pragma omp parallel for schedule(static) if (rows * N >= kParallelGrain)
    for (int64_t r = 0; r < rows; r++) {
      float* c = g.out + r * N;
#pragma omp simd
      for (int64_t j = 0; j < N; j++) {
        float v = c[j] + (bias != nullptr ? bias[j] : 0.0f);
        c[j] = act == 1 ? (v > 0.0f ? v : 0.0f) : v;
      }
    }
  }
}

const char* blas_name() {
#if defined(PEFT_USE_DNNL)
  return "onednn";
#else
  return "openblas";
#endif
}

void blas_set_threads(int n) {
#if !defined(PEFT_USE_DNNL)
  // Our OpenMP pieces each call the BLAS on one thread.
  openblas_set_num_threads(1);
#endif
  (void)n;
}

const char* blas_core() {
#if defined(PEFT_USE_DNNL)
  return "runtime-dispatch";
#else
  return openblas_get_corename();
#endif
}

napi_value GemmBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);
  // (out, a, b, bias|null, batch, aBatched, bBatched, M, N, K, transA, transB, activation)
  GemmArgs g;
  g.out = a.f32(0);
  g.a = a.f32(1);
  g.b = a.f32(2);
  napi_valuetype t;
  napi_typeof(env, a.argv[3], &t);
  g.bias = (t == napi_null || t == napi_undefined) ? nullptr : a.f32(3);
  g.batch = a.i64(4);
  g.aBatched = a.i(5) != 0;
  g.bBatched = a.i(6) != 0;
  g.M = a.i64(7);
  g.N = a.i64(8);
  g.K = a.i64(9);
  g.transA = a.i(10) != 0;
  g.transB = a.i(11) != 0;
  g.activation = a.i(12);
  gemm_batched(g);
  return undefined(env);
}

}  // namespace peft

namespace peft {

void sgemm_parallel(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, const float* B,
                    float beta, float* C) {
  FlushDenormals ftz;
  const int64_t lda = ta ? M : K, ldb = tb ? K : N;
  const int threads = max_threads();
  if (threads == 1 || M * N * K < (1 << 15)) {
    sgemm_serial(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, N);
    return;
  }
  const bool splitM = M >= N;
  const int64_t extent = splitM ? M : N;
#pragma omp parallel for schedule(static)
  for (int t = 0; t < threads; t++) {
    const int64_t lo = extent * t / threads, hi = extent * (t + 1) / threads;
    if (hi <= lo) continue;
    if (splitM)
      sgemm_serial(ta, tb, hi - lo, N, K, alpha, ta ? A + lo : A + lo * K, lda, B, ldb, beta, C + lo * N, N);
    else
      sgemm_serial(ta, tb, M, hi - lo, K, alpha, A, lda, tb ? B + lo * K : B + lo, ldb, beta, C + lo, N);
  }
}

}  // namespace peft
