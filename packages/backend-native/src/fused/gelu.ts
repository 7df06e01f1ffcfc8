import { engine, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import type { FusedOp } from './fused-types';

/**
 * `PeftGeluTanh`: `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))` (Hendrycks & Gimpel 2016;
 * HF `gelu_new`), inputs `{ x }`, float32 of any shape.
 */
export const GELU_TANH: FusedOp = {
  kernels: [
    {
      kernelName: 'PeftGeluTanh',
      kernel: ({ inputs, backend }) => {
        const x = inputs.x as TensorInfo;
        const xv = backend.floats(x);
        const out = backend.alloc(xv.length);
        backend.addon.gelu(out, xv);
        return backend.output(x.shape.slice(), out);
      },
    },
    {
      kernelName: 'PeftGeluTanhGrad',
      kernel: ({ inputs, backend }) => {
        const x = inputs.x as TensorInfo;
        const dx = backend.alloc(x.shape.reduce((n, d) => n * d, 1));
        backend.addon.geluGrad(dx, backend.floats(x), backend.floats(inputs.dy as TensorInfo));
        return backend.output(x.shape.slice(), dx);
      },
    },
  ],
  gradient: {
    kernelName: 'PeftGeluTanh',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [Tensor];
      return { x: () => engine().runKernel('PeftGeluTanhGrad', { x, dy: dy as Tensor }) as Tensor };
    },
  },
};
