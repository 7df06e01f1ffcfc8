// Declarations shared by the addon's translation units.
#pragma once
#include "napi-util.h"
#include <cstdint>

namespace peft {

struct GemmArgs {
  float* out = nullptr;
  const float* a = nullptr;
  const float* b = nullptr;
  const float* bias = nullptr;  // [N] or null
  int64_t batch = 1, M = 0, N = 0, K = 0;
  bool aBatched = false, bBatched = false, transA = false, transB = false;
  int activation = 0;  // 0 linear, 1 relu
};

void gemm_batched(const GemmArgs& g);
// One BLAS call on the calling thread (inside an OpenMP region it never spawns more threads).
void sgemm_serial(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                  const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
// C = alpha op(A) op(B) + beta C, split across threads by rows or columns of C.
void sgemm_parallel(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, const float* B,
                    float beta, float* C);
void softmax_rows(float* out, const float* x, int64_t rows, int64_t cols);
const char* blas_name();
const char* blas_core();
void blas_set_threads(int n);

napi_value GemmBinding(napi_env env, napi_callback_info info);
napi_value UnaryBinding(napi_env env, napi_callback_info info);
napi_value BinaryBinding(napi_env env, napi_callback_info info);
napi_value ReduceBinding(napi_env env, napi_callback_info info);
napi_value ReduceLeadingBinding(napi_env env, napi_callback_info info);
napi_value SoftmaxBinding(napi_env env, napi_callback_info info);
napi_value TransposeBinding(napi_env env, napi_callback_info info);
napi_value SliceBinding(napi_env env, napi_callback_info info);
napi_value ConcatBinding(napi_env env, napi_callback_info info);
napi_value GatherBinding(napi_env env, napi_callback_info info);
napi_value OneHotBinding(napi_env env, napi_callback_info info);
// Fused ops (fused.cc, attention.cc).
napi_value GeluBinding(napi_env env, napi_callback_info info);
napi_value GeluGradBinding(napi_env env, napi_callback_info info);
napi_value NormBinding(napi_env env, napi_callback_info info);
napi_value NormGradBinding(napi_env env, napi_callback_info info);
napi_value CrossEntropyBinding(napi_env env, napi_callback_info info);
napi_value CrossEntropyGradBinding(napi_env env, napi_callback_info info);
napi_value AttentionBinding(napi_env env, napi_callback_info info);
napi_value AttentionGradBinding(napi_env env, napi_callback_info info);
napi_value LoraDeltaBinding(napi_env env, napi_callback_info info);

}  // namespace peft
