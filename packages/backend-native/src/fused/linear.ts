import { matMul, mul, sum, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import type { FusedOp } from './fused-types';

/**
 * `PeftLinear`: `x W^T + b` (PyTorch `nn.Linear`), inputs `{ x: [n, in], weight: [out, in], bias: [out] }`
 * (bias optional); one GEMM with the bias added in its epilogue. Gradients are computed lazily and
 * separately (`dx = dy W`, `dW = dy^T x`, `db = sum_rows dy`), so a frozen weight costs no `dW`.
 */
export const LINEAR: FusedOp = {
  kernels: [
    {
      kernelName: 'PeftLinear',
      kernel: ({ inputs, backend }) => {
        const x = inputs.x as TensorInfo;
        const w = inputs.weight as TensorInfo;
        const [n, k] = x.shape as [number, number];
        const out = w.shape[0] as number;
        const y = backend.alloc(n * out);
        const bias = inputs.bias === undefined ? null : backend.floats(inputs.bias);
        backend.addon.gemm(y, backend.floats(x), backend.floats(w), bias, 1, 0, 0, n, out, k, 0, 1, 0);
        return backend.output([n, out], y);
      },
    },
  ],
  gradient: {
    kernelName: 'PeftLinear',
    inputsToSave: ['x', 'weight'],
    gradFunc: (dy, saved) => {
      const [x, weight] = saved as [Tensor, Tensor];
      const g = dy as Tensor;
      return {
        x: () => matMul(g, weight), // [n, out] @ [out, in]
        weight: () => matMul(g, x, true, false), // [n, out]^T @ [n, in]
        bias: () => sum(g, 0),
      };
    },
  },
};

/**
 * `PeftLoraDelta`: `scale (x A^T) B^T` (Hu et al. 2021, eq. 3's update term), inputs
 * `{ x: [n, in], a: [r, in], b: [out, r] }`, attrs `{ scale }`; outputs `[y: [n, out], u: [n, r]]`
 * with `u = x A^T` kept for the backward pass (`dB = s dy^T u`, `dA = s (dy B)^T x`, `dx = s (dy B) A`).
 */
export const LORA_DELTA: FusedOp = {
  kernels: [
    {
      kernelName: 'PeftLoraDelta',
      kernel: ({ inputs, attrs, backend }) => {
        const x = inputs.x as TensorInfo;
        const a = inputs.a as TensorInfo;
        const b = inputs.b as TensorInfo;
        const [n, k] = x.shape as [number, number];
        const r = a.shape[0] as number;
        const out = b.shape[0] as number;
        const u = backend.alloc(n * r);
        const y = backend.alloc(n * out);
        // u = x A^T: [n, in] @ [r, in]^T;  y = scale u B^T: [n, r] @ [out, r]^T
        backend.addon.loraDelta(
          y,
          u,
          backend.floats(x),
          backend.floats(a),
          backend.floats(b),
          n,
          k,
          r,
          out,
          attrs.scale as number,
        );
        return [backend.output([n, out], y), backend.output([n, r], u)];
      },
    },
  ],
  gradient: {
    kernelName: 'PeftLoraDelta',
    inputsToSave: ['x', 'a', 'b'],
    outputsToSave: [false, true],
    gradFunc: (dys, saved, attrs) => {
      const [x, a, b, u] = saved as [Tensor, Tensor, Tensor, Tensor];
      const dy = (Array.isArray(dys) ? dys[0] : dys) as Tensor;
      const s = attrs.scale as number;
      const du = () => mul(matMul(dy, b), s); // s dy B: [n, out] @ [out, r]
      return {
        x: () => matMul(du(), a), // [n, r] @ [r, in]
        a: () => matMul(du(), x, true, false), // [n, r]^T @ [n, in]
        b: () => mul(matMul(dy, u, true, false), s), // s dy^T u: [n, out]^T @ [n, r]
      };
    },
  },
};
