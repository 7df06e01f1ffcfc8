import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeKernelSpec } from './kernel-types';

const params = new Int32Array([0, 1, 1]);

/** `AddN`: the sum of same-shape tensors (gradient accumulation), as a chain of native adds. */
export const ADD_N_KERNELS: readonly NativeKernelSpec[] = [
  {
    kernelName: 'AddN',
    kernel: ({ inputs, backend }) => {
      const xs = Object.values(inputs) as TensorInfo[];
      const values: Float32Array[] = [];
      for (const t of xs) {
        const v = backend.f32(t);
        if (v === null) return null;
        values.push(v);
      }
      const first = values[0];
      if (first === undefined || values.some((v) => v.length !== first.length)) return null;
      const out = backend.alloc(first.length);
      if (values.length === 1 || first.length === 0) {
        out.set(first);
      } else {
        params[0] = first.length;
        backend.addon.binary(0, out, first, values[1] as Float32Array, 1, params);
        for (let i = 2; i < values.length; i++) backend.addon.binary(0, out, out, values[i] as Float32Array, 1, params);
      }
      return backend.output((xs[0] as TensorInfo).shape.slice(), out);
    },
  },
];
