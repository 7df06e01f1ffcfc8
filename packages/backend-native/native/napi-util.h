// Small helpers over the N-API C interface: typed-array pointers, integers, doubles.
#pragma once
#include <node_api.h>
#include <cstddef>
#include <cstdint>

namespace peft {

struct Args {
  napi_env env;
  size_t argc = 16;
  napi_value argv[16];
  Args(napi_env e, napi_callback_info info) : env(e) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  }
  template <typename T>
  T* ptr(size_t i, size_t* length = nullptr) const {
    napi_typedarray_type type;
    size_t len = 0;
    void* data = nullptr;
    napi_value buf;
    size_t offset = 0;
    napi_get_typedarray_info(env, argv[i], &type, &len, &data, &buf, &offset);
    if (length != nullptr) *length = len;
    return static_cast<T*>(data);
  }
  float* f32(size_t i, size_t* length = nullptr) const { return ptr<float>(i, length); }
  int32_t* i32(size_t i, size_t* length = nullptr) const { return ptr<int32_t>(i, length); }
  int64_t i64(size_t i) const {
    int64_t v = 0;
    napi_get_value_int64(env, argv[i], &v);
    return v;
  }
  int32_t i(size_t k) const {
    int32_t v = 0;
    napi_get_value_int32(env, argv[k], &v);
    return v;
  }
  double d(size_t k) const {
    double v = 0;
    napi_get_value_double(env, argv[k], &v);
    return v;
  }
};

inline napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

inline napi_value number(napi_env env, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  return n;
}

// Registration table entry.
struct Export {
  const char* name;
  napi_callback fn;
};

}  // namespace peft
