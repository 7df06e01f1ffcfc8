// N-API entry point of @peftjs/backend-native: the kernel table, thread control and build info.
#include "kernels.h"
#include "fast-math.h"
#include <xmmintrin.h>

namespace peft {

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a(env, info);
  int n = a.i(0);
  if (n < 1) n = 1;
#ifdef _OPENMP
  omp_set_num_threads(n);
  // OpenMP workers never run JS: flush denormals there for good. Thread 0 of the team is the calling
  // JS thread, whose floating-point mode must stay IEEE (kernels set FTZ/DAZ on it only while they run,
  // with FlushDenormals): setting it here would silently zero every denormal in JS arithmetic.
#pragma omp parallel num_threads(n)
  {
    if (omp_get_thread_num() != 0) _mm_setcsr(_mm_getcsr() | 0x8040);
  }
#endif
  blas_set_threads(n);
  return number(env, max_threads());
}

static napi_value Info(napi_env env, napi_callback_info info) {
  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, blas_name(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "blas", v);
  napi_create_string_utf8(env, blas_core(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "core", v);
  napi_set_named_property(env, obj, "threads", number(env, max_threads()));
#ifdef _OPENMP
  napi_get_boolean(env, true, &v);
#else
  napi_get_boolean(env, false, &v);
#endif
  napi_set_named_property(env, obj, "openmp", v);
  return obj;
}

static const Export kExports[] = {
    {"setThreads", SetThreads},
    {"info", Info},
    {"gemm", GemmBinding},
    {"unary", UnaryBinding},
    {"binary", BinaryBinding},
    {"reduce", ReduceBinding},
    {"reduceLeading", ReduceLeadingBinding},
    {"softmax", SoftmaxBinding},
    {"transpose", TransposeBinding},
    {"slice", SliceBinding},
    {"concat", ConcatBinding},
    {"gather", GatherBinding},
    {"oneHot", OneHotBinding},
    {"gelu", GeluBinding},
    {"geluGrad", GeluGradBinding},
    {"norm", NormBinding},
    {"normGrad", NormGradBinding},
    {"crossEntropy", CrossEntropyBinding},
    {"crossEntropyGrad", CrossEntropyGradBinding},
    {"attention", AttentionBinding},
    {"attentionGrad", AttentionGradBinding},
    {"loraDelta", LoraDeltaBinding},
};

static napi_value Init(napi_env env, napi_value exports) {
  for (const Export& e : kExports) {
    napi_value fn;
    napi_create_function(env, e.name, NAPI_AUTO_LENGTH, e.fn, nullptr, &fn);
    napi_set_named_property(env, exports, e.name, fn);
  }
  return exports;
}

}  // namespace peft

NAPI_MODULE(NODE_GYP_MODULE_NAME, peft::Init)
