import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { collapseBroadcast, sizeOf } from '../shape-util';
import type { NativeKernelSpec } from './kernel-types';

/** Op codes shared with native/elementwise.cc. */
const UNARY: Readonly<Record<string, number>> = {
  Exp: 0,
  Log: 1,
  Tanh: 2,
  Sigmoid: 3,
  Sqrt: 4,
  Rsqrt: 5,
  Square: 6,
  Neg: 7,
  Relu: 8,
  Abs: 9,
  Reciprocal: 10,
};
const BINARY: Readonly<Record<string, number>> = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  Pow: 4,
  Maximum: 5,
  Minimum: 6,
  SquaredDifference: 7,
};

const params = new Int32Array(12);

export const ELEMENTWISE_KERNELS: readonly NativeKernelSpec[] = [
  ...Object.entries(UNARY).map(
    ([kernelName, op]): NativeKernelSpec => ({
      kernelName,
      kernel: ({ inputs, backend }) => {
        const x = inputs.x as TensorInfo;
        const xv = backend.f32(x);
        if (xv === null) return null;
        const out = backend.alloc(xv.length);
        backend.addon.unary(op, out, xv);
        return backend.output(x.shape.slice(), out);
      },
    }),
  ),
  ...Object.entries(BINARY).map(
    ([kernelName, op]): NativeKernelSpec => ({
      kernelName,
      kernel: ({ inputs, backend }) => {
        const a = inputs.a as TensorInfo;
        const b = inputs.b as TensorInfo;
        const av = backend.f32(a);
        const bv = backend.f32(b);
        if (av === null || bv === null) return null;
        const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
        const size = sizeOf(shape);
        if (size === 0) return backend.output(shape, new Float32Array(0));
        const plan = collapseBroadcast(a.shape, b.shape, shape);
        if (plan === null) return null;
        const rank = plan.dims.length;
        for (let i = 0; i < rank; i++) {
          params[i] = plan.dims[i] as number;
          params[rank + i] = plan.aStrides[i] as number;
          params[2 * rank + i] = plan.bStrides[i] as number;
        }
        const out = backend.alloc(size);
        backend.addon.binary(op, out, av, bv, rank, params);
        return backend.output(shape, out);
      },
    }),
  ),
];
