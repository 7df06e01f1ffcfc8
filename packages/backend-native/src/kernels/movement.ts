import { backend_util, slice_util, util, type TensorInfo } from '@tensorflow/tfjs-core';
import { sizeOf } from '../shape-util';
import type { NativeBackend } from '../native-backend';
import type { NativeKernelSpec } from './kernel-types';

const params = new Int32Array(24);

/** A copy of `x[begin : begin + size]` (the cpu kernel would return a view for contiguous slices). */
function sliceValues(
  backend: NativeBackend,
  xv: Float32Array,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
): Float32Array | null {
  const n = sizeOf(size);
  const out = backend.alloc(n);
  if (n === 0) return out;
  const rank = shape.length;
  if (rank === 0) {
    out[0] = xv[0] as number;
    return out;
  }
  if (rank > 8) return null;
  for (let i = 0; i < rank; i++) {
    params[i] = shape[i] as number;
    params[rank + i] = begin[i] as number;
    params[2 * rank + i] = size[i] as number;
  }
  backend.addon.slice(out, xv, rank, params);
  return out;
}

export const MOVEMENT_KERNELS: readonly NativeKernelSpec[] = [
  {
    kernelName: 'Slice',
    kernel: ({ inputs, attrs, backend }) => {
      const x = inputs.x as TensorInfo;
      const xv = backend.f32(x);
      if (xv === null) return null;
      const [begin, size] = slice_util.parseSliceParams(
        x as never,
        attrs.begin as number[],
        attrs.size as number[],
      ) as [number[], number[]];
      slice_util.assertParamsValid(x as never, begin, size);
      const out = sliceValues(backend, xv, x.shape, begin, size);
      return out === null ? null : backend.output(size, out);
    },
  },
  {
    kernelName: 'SplitV',
    kernel: ({ inputs, attrs, backend }) => {
      const x = inputs.x as TensorInfo;
      const xv = backend.f32(x);
      if (xv === null) return null;
      const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0] as number;
      const sizes = backend_util.prepareSplitSize(x as never, attrs.numOrSizeSplits as number[] | number, axis);
      const begin = new Array<number>(x.shape.length).fill(0);
      const outputs: TensorInfo[] = [];
      for (const s of sizes) {
        const size = x.shape.slice();
        size[axis] = s;
        const out = sliceValues(backend, xv, x.shape, begin, size);
        if (out === null) {
          for (const t of outputs) backend.disposeIntermediateTensorInfo(t);
          return null;
        }
        outputs.push(backend.output(size, out));
        begin[axis] = (begin[axis] as number) + s;
      }
      return outputs;
    },
  },
  {
    kernelName: 'Concat',
    kernel: ({ inputs, attrs, backend }) => {
      const xs = Object.values(inputs) as TensorInfo[];
      if (xs.length === 0) return null;
      const values: Float32Array[] = [];
      for (const t of xs) {
        const v = backend.f32(t);
        if (v === null) return null;
        values.push(v);
      }
      const first = xs[0] as TensorInfo;
      const axis = util.parseAxisParam(attrs.axis as number, first.shape)[0] as number;
      backend_util.assertParamsConsistent(
        xs.map((t) => t.shape),
        axis,
      );
      const shape = backend_util.computeOutShape(
        xs.map((t) => t.shape),
        axis,
      );
      const outer = sizeOf(shape.slice(0, axis));
      const widths = new Int32Array(xs.map((t) => sizeOf(t.shape.slice(axis))));
      const out = backend.alloc(sizeOf(shape));
      if (out.length > 0) backend.addon.concat(out, values, outer, widths);
      return backend.output(shape, out);
    },
  },
  {
    kernelName: 'GatherV2',
    kernel: ({ inputs, attrs, backend }) => {
      const x = inputs.x as TensorInfo;
      const indices = inputs.indices as TensorInfo;
      const xv = backend.f32(x);
      const iv = backend.values(indices);
      if (xv === null || !(iv instanceof Int32Array) || (attrs.batchDims as number) !== 0) return null;
      const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0] as number;
      const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
      const out = backend.alloc(sizeOf(shape));
      const ok =
        out.length === 0 ||
        backend.addon.gather(
          out,
          xv,
          iv,
          sizeOf(x.shape.slice(0, axis)),
          x.shape[axis] as number,
          sizeOf(x.shape.slice(axis + 1)),
        );
      if (!ok) return null; // an out-of-range index: the cpu kernel throws tfjs's message
      return backend.output(shape, out);
    },
  },
  {
    kernelName: 'OneHot',
    kernel: ({ inputs, attrs, backend }) => {
      const indices = inputs.indices as TensorInfo;
      const iv = backend.values(indices);
      if (!(iv instanceof Int32Array) || attrs.dtype !== 'float32') return null;
      const depth = attrs.depth as number;
      const out = backend.alloc(iv.length * depth);
      if (out.length > 0) backend.addon.oneHot(out, iv, depth, attrs.onValue as number, attrs.offValue as number);
      return backend.output([...indices.shape, depth], out);
    },
  },
  {
    // int32/bool -> float32 as a real Float32Array: the cpu kernel would keep the integer storage
    // under a float32 label, which every float kernel after it would have to convert again.
    kernelName: 'Cast',
    kernel: ({ inputs, attrs, backend }) => {
      const x = inputs.x as TensorInfo;
      if (attrs.dtype !== 'float32' || (x.dtype !== 'int32' && x.dtype !== 'bool')) return null;
      const v = backend.values(x);
      if (!(v instanceof Int32Array || v instanceof Uint8Array)) return null;
      const out = backend.alloc(v.length);
      out.set(v);
      return backend.output(x.shape.slice(), out);
    },
  },
];
