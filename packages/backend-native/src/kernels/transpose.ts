import type { TensorInfo } from '@tensorflow/tfjs-core';
import { collapseTranspose } from '../shape-util';
import type { NativeBackend } from '../native-backend';
import type { NativeKernelSpec } from './kernel-types';

const params = new Int32Array(16);

/** `values` of `shape` permuted by `perm` into a new pooled array; `null` beyond rank 8. */
export function transposeValues(
  backend: NativeBackend,
  values: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
): Float32Array | null {
  const out = backend.alloc(values.length);
  if (values.length === 0) return out;
  const plan = collapseTranspose(shape, perm);
  const rank = plan.shape.length;
  if (rank <= 1 || plan.perm.every((p, i) => p === i)) {
    out.set(values);
    return out;
  }
  if (rank > 8) return null;
  for (let i = 0; i < rank; i++) {
    params[i] = plan.shape[i] as number;
    params[rank + i] = plan.perm[i] as number;
  }
  backend.addon.transpose(out, values, rank, params);
  return out;
}

export const TRANSPOSE_KERNELS: readonly NativeKernelSpec[] = [
  {
    kernelName: 'Transpose',
    kernel: ({ inputs, attrs, backend }) => {
      const x = inputs.x as TensorInfo;
      const xv = backend.f32(x);
      if (xv === null) return null;
      const perm = attrs.perm as number[];
      const out = transposeValues(backend, xv, x.shape, perm);
      if (out === null) return null;
      return backend.output(
        perm.map((p) => x.shape[p] as number),
        out,
      );
    },
  },
];
