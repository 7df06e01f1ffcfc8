// LoRA update term: u = x A^T, y = scale u B^T (Hu et al. 2021); u is returned for the backward pass.
#include "kernels.h"
#include "fast-math.h"

namespace peft {

napi_value LoraDeltaBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (y, u, x, A, B, n, in, r, out, scale)
  float* y = a.f32(0);
  float* u = a.f32(1);
  const float *x = a.f32(2), *A = a.f32(3), *B = a.f32(4);
  const int64_t n = a.i64(5), in = a.i64(6), r = a.i64(7), out = a.i64(8);
  const float scale = static_cast<float>(a.d(9));
  sgemm_parallel(false, true, n, r, in, 1.0f, x, A, 0.0f, u);     // [n, in] @ [r, in]^T -> [n, r]
  sgemm_parallel(false, true, n, out, r, scale, u, B, 0.0f, y);   // [n, r] @ [out, r]^T -> [n, out]
  return undefined(env);
}

}  // namespace peft
