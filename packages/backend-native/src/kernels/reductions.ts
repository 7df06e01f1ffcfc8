import { backend_util, util, type TensorInfo } from '@tensorflow/tfjs-core';
import { sizeOf } from '../shape-util';
import type { NativeBackend } from '../native-backend';
import type { NativeKernelSpec } from './kernel-types';
import { transposeValues } from './transpose';

/** Op codes shared with native/reduce.cc. */
const REDUCE = { Sum: 0, Mean: 1, Max: 2, Min: 3 } as const;

/**
 * Reduces `x` over `axes`: innermost axes directly, leading axes with a column pass (bias
 * gradients), anything else after a native transpose that moves the axes last. Empty inputs or
 * outputs go to the cpu kernel.
 */
function reduce(
  backend: NativeBackend,
  x: TensorInfo,
  axisAttr: number | number[],
  keepDims: boolean,
  op: number,
): TensorInfo | null {
  let xv = backend.f32(x);
  if (xv === null || xv.length === 0) return null;
  const rank = x.shape.length;
  const axes = util.parseAxisParam(axisAttr, x.shape);
  const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  const inner = sizeOf(reduceShape);
  const outer = sizeOf(outShape);
  const sorted = [...axes].sort((p, q) => p - q);
  const innermost = sorted.every((a, i) => a === rank - sorted.length + i);
  const leading = sorted.every((a, i) => a === i);
  const out = backend.alloc(outer);
  if (innermost || inner === 1) {
    backend.addon.reduce(op, out, xv, outer, inner);
  } else if (leading) {
    backend.addon.reduceLeading(op, out, xv, inner, outer);
  } else {
    const perm = backend_util.getAxesPermutation(axes, rank);
    if (perm === null) return null;
    const moved = transposeValues(backend, xv, x.shape, perm);
    if (moved === null) return null;
    xv = moved;
    backend.addon.reduce(op, out, xv, outer, inner);
    backend.pool.release(moved);
  }
  const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  return backend.output(shape, out);
}

export const REDUCTION_KERNELS: readonly NativeKernelSpec[] = [
  {
    kernelName: 'Sum',
    kernel: ({ inputs, attrs, backend }) =>
      reduce(backend, inputs.x as TensorInfo, attrs.axis as number[], attrs.keepDims === true, REDUCE.Sum),
  },
  {
    kernelName: 'Mean',
    kernel: ({ inputs, attrs, backend }) =>
      reduce(backend, inputs.x as TensorInfo, attrs.axis as number[], attrs.keepDims === true, REDUCE.Mean),
  },
  {
    // Max names its axes `reductionIndices` (Sum, Mean and Min say `axis`).
    kernelName: 'Max',
    kernel: ({ inputs, attrs, backend }) =>
      reduce(backend, inputs.x as TensorInfo, attrs.reductionIndices as number[], attrs.keepDims === true, REDUCE.Max),
  },
  {
    kernelName: 'Min',
    kernel: ({ inputs, attrs, backend }) =>
      reduce(backend, inputs.x as TensorInfo, attrs.axis as number[], attrs.keepDims === true, REDUCE.Min),
  },
  {
    kernelName: 'Softmax',
    kernel: ({ inputs, attrs, backend }) => {
      const x = inputs.logits as TensorInfo;
      const xv = backend.f32(x);
      const rank = x.shape.length;
      const dim = attrs.dim as number;
      if (xv === null || rank === 0 || (dim !== -1 && dim !== rank - 1)) return null;
      const cols = x.shape[rank - 1] as number;
      const out = backend.alloc(xv.length);
      if (xv.length > 0) backend.addon.softmax(out, xv, xv.length / cols, cols);
      return backend.output(x.shape.slice(), out);
    },
  },
];
