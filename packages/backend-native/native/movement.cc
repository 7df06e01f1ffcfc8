// Data movement: transpose, slice, concat, gather, one-hot. Shapes arrive collapsed from JS.
#include "kernels.h"
#include "fast-math.h"
#include <cstring>
#include <vector>

namespace peft {

// out = transpose(x, perm). params: [shape(rank), perm(rank)], rank <= 8.
napi_value TransposeBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (out, x, rank, params)
  float* out = a.f32(0);
  const float* x = a.f32(1);
  const int rank = a.i(2);
  const int32_t* p = a.i32(3);
  const int32_t* shape = p;
  const int32_t* perm = p + rank;
  int64_t inStride[8], outDims[8], srcStride[8];
  inStride[rank - 1] = 1;
  for (int k = rank - 2; k >= 0; k--) inStride[k] = inStride[k + 1] * shape[k + 1];
  int64_t total = 1;
  for (int k = 0; k < rank; k++) {
    outDims[k] = shape[perm[k]];
    srcStride[k] = inStride[perm[k]];
    total *= outDims[k];
  }
  if (total == 0) return undefined(env);
  // Blocked over the last two output axes; the rest is an odometer over "planes".
  const int64_t R = rank >= 2 ? outDims[rank - 2] : 1, C = outDims[rank - 1];
  const int64_t sR = rank >= 2 ? srcStride[rank - 2] : 0, sC = srcStride[rank - 1];
  const int64_t planes = total / (R * C);
#pragma omp parallel for schedule(static) if (total >= kParallelGrain && planes > 1)
  for (int64_t pl = 0; pl < planes; pl++) {
    int64_t rem = pl, src = 0;
    for (int k = rank - 3; k >= 0; k--) {
      const int64_t idx = rem % outDims[k];
      rem /= outDims[k];
      src += idx * srcStride[k];
    }
    const float* xs = x + src;
    float* o = out + pl * R * C;
    if (sC == 1) {
      for (int64_t r = 0; r < R; r++) std::memcpy(o + r * C, xs + r * sR, C * sizeof(float));
    } else {
      constexpr int64_t B = 32;
      for (int64_t r0 = 0; r0 < R; r0 += B)
        for (int64_t c0 = 0; c0 < C; c0 += B) {
          const int64_t r1 = r0 + B < R ? r0 + B : R, c1 = c0 + B < C ? c0 + B : C;
          for (int64_t r = r0; r < r1; r++)
            for (int64_t c = c0; c < c1; c++) o[r * C + c] = xs[r * sR + c * sC];
        }
    }
  }
  // Single plane, big: parallelise rows instead.
  return undefined(env);
}

// out = x[begin : begin + size] for x of shape `shape`. params: [shape, begin, size] (rank <= 8).
napi_value SliceBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (out, x, rank, params)
  float* out = a.f32(0);
  const float* x = a.f32(1);
  const int rank = a.i(2);
  const int32_t* p = a.i32(3);
  const int32_t *shape = p, *begin = p + rank, *size = p + 2 * rank;
  int64_t stride[8];
  stride[rank - 1] = 1;
  for (int k = rank - 2; k >= 0; k--) stride[k] = stride[k + 1] * shape[k + 1];
  int64_t rows = 1;
  for (int k = 0; k < rank - 1; k++) rows *= size[k];
  const int64_t inner = size[rank - 1];
  if (rows == 0 || inner == 0) return undefined(env);
#pragma omp parallel for schedule(static) if (rows * inner >= kParallelGrain && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    int64_t rem = r, src = begin[rank - 1];
    for (int k = rank - 2; k >= 0; k--) {
      const int64_t idx = rem % size[k];
      rem /= size[k];
      src += (idx + begin[k]) * stride[k];
    }
    std::memcpy(out + r * inner, x + src, inner * sizeof(float));
  }
  return undefined(env);
}

// out[o, :] = concat_i(x_i[o, :]) with widths[i]. (out, inputsArray, outer, widths Int32Array)
napi_value ConcatBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* out = a.f32(0);
  uint32_t count = 0;
  napi_get_array_length(env, a.argv[1], &count);
  std::vector<const float*> xs(count);
  for (uint32_t i = 0; i < count; i++) {
    napi_value v;
    napi_get_element(env, a.argv[1], i, &v);
    napi_typedarray_type type;
    size_t len;
    void* data;
    napi_value buf;
    size_t off;
    napi_get_typedarray_info(env, v, &type, &len, &data, &buf, &off);
    xs[i] = static_cast<const float*>(data);
  }
  const int64_t outer = a.i64(2);
  const int32_t* widths = a.i32(3);
  int64_t total = 0;
  for (uint32_t i = 0; i < count; i++) total += widths[i];
#pragma omp parallel for schedule(static) if (outer * total >= kParallelGrain && outer > 1)
  for (int64_t o = 0; o < outer; o++) {
    float* dst = out + o * total;
    for (uint32_t i = 0; i < count; i++) {
      std::memcpy(dst, xs[i] + o * widths[i], widths[i] * sizeof(float));
      dst += widths[i];
    }
  }
  return undefined(env);
}

// out[o, i, :] = x[o, idx[i], :]; returns false (and writes nothing) on an out-of-range index.
napi_value GatherBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (out, x, indices Int32Array, outer, axisDim, inner)
  float* out = a.f32(0);
  const float* x = a.f32(1);
  size_t n = 0;
  const int32_t* idx = a.i32(2, &n);
  const int64_t outer = a.i64(3), dim = a.i64(4), inner = a.i64(5);
  napi_value result;
  for (size_t i = 0; i < n; i++)
    if (idx[i] < 0 || idx[i] >= dim) {
      napi_get_boolean(env, false, &result);
      return result;
    }
  const int64_t rows = outer * static_cast<int64_t>(n);
#pragma omp parallel for schedule(static) if (rows * inner >= kParallelGrain)
  for (int64_t r = 0; r < rows; r++) {
    const int64_t o = r / n, i = r % n;
    std::memcpy(out + r * inner, x + (o * dim + idx[i]) * inner, inner * sizeof(float));
  }
  napi_get_boolean(env, true, &result);
  return result;
}

// out[i, :] = off, out[i, idx[i]] = on when 0 <= idx[i] < depth.
napi_value OneHotBinding(napi_env env, napi_callback_info info) {
  Args a(env, info);  // (out, indices Int32Array, depth, on, off)
  float* out = a.f32(0);
  size_t n = 0;
  const int32_t* idx = a.i32(1, &n);
  const int64_t depth = a.i64(2);
  const float on = static_cast<float>(a.d(3)), off = static_cast<float>(a.d(4));
#pragma omp parallel for schedule(static) if (static_cast<int64_t>(n) * depth >= kParallelGrain)
  for (int64_t i = 0; i < static_cast<int64_t>(n); i++) {
    float* row = out + i * depth;
    for (int64_t j = 0; j < depth; j++) row[j] = off;
    if (idx[i] >= 0 && idx[i] < depth) row[idx[i]] = on;
  }
  return undefined(env);
}

}  // namespace peft
