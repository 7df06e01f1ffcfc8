import { engine, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import { NativeBackendError } from '../native-backend-error';
import type { FusedOp } from './fused-types';

/**
 * `PeftAttention`: `softmax(q k^T * scale + bias) v` (Vaswani et al. 2017, eq. 1, with an additive
 * mask), inputs `{ q: [B, H, T, D], k: [B, H, Tk, D], v: [B, H, Tk, D], bias: [B|1, 1, T, Tk] }`,
 * attrs `{ scale }`; outputs `[out: [B, H, T, D], probs: [B, H, T, Tk]]` (probs are kept for the
 * backward pass).
 */
export const ATTENTION: FusedOp = {
  kernels: [
    {
      kernelName: 'PeftAttention',
      kernel: ({ inputs, attrs, backend }) => {
        const q = inputs.q as TensorInfo;
        const k = inputs.k as TensorInfo;
        const bias = inputs.bias as TensorInfo;
        const [b, h, t, d] = q.shape as [number, number, number, number];
        const tk = k.shape[2] as number;
        const bb = bias.shape[0] as number;
        if (
          q.shape.length !== 4 ||
          bias.shape.length !== 4 ||
          (bb !== 1 && bb !== b) ||
          bias.shape[1] !== 1 ||
          bias.shape[2] !== t ||
          bias.shape[3] !== tk
        ) {
          throw new NativeBackendError(
            'E_NATIVE_BAD_OPTION',
            `PeftAttention needs bias [${b}|1, 1, ${t}, ${tk}] for q [${q.shape.join(', ')}], got [${bias.shape.join(', ')}]; broadcast the bias first`,
          );
        }
        const out = backend.alloc(b * h * t * d);
        const probs = backend.alloc(b * h * t * tk);
        if (out.length > 0 || probs.length > 0) {
          backend.addon.attention(
            out,
            probs,
            backend.floats(q),
            backend.floats(k),
            backend.floats(inputs.v as TensorInfo),
            backend.floats(bias),
            b,
            h,
            t,
            tk,
            d,
            bb === b && b > 1 ? 1 : 0,
            attrs.scale as number,
          );
        }
        return [backend.output([b, h, t, d], out), backend.output([b, h, t, tk], probs)];
      },
    },
    {
      kernelName: 'PeftAttentionGrad',
      kernel: ({ inputs, attrs, backend }) => {
        const q = inputs.q as TensorInfo;
        const k = inputs.k as TensorInfo;
        const [b, h, t, d] = q.shape as [number, number, number, number];
        const tk = k.shape[2] as number;
        const dq = backend.alloc(b * h * t * d);
        const dk = backend.alloc(b * h * tk * d);
        const dv = backend.alloc(b * h * tk * d);
        backend.addon.attentionGrad(
          dq,
          dk,
          dv,
          backend.floats(q),
          backend.floats(k),
          backend.floats(inputs.v as TensorInfo),
          backend.floats(inputs.probs as TensorInfo),
          backend.floats(inputs.dy as TensorInfo),
          b * h,
          t,
          tk,
          d,
          attrs.scale as number,
        );
        return [backend.output([b, h, t, d], dq), backend.output([b, h, tk, d], dk), backend.output([b, h, tk, d], dv)];
      },
    },
  ],
  gradient: {
    kernelName: 'PeftAttention',
    inputsToSave: ['q', 'k', 'v', 'bias'],
    outputsToSave: [false, true],
    gradFunc: (dys, saved, attrs) => {
      const [q, k, v, bias, probs] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor];
      const dy = Array.isArray(dys) ? (dys[0] as Tensor) : dys;
      // One kernel computes all three, now, in the backward pass's scope (see norms.ts).
      const [dq, dk, dv] = engine().runKernel('PeftAttentionGrad', { q, k, v, probs, dy }, attrs) as Tensor[];
      // The bias is a mask: constant, no gradient flows into it.
      return {
        q: () => dq as Tensor,
        k: () => dk as Tensor,
        v: () => dv as Tensor,
        bias: () => engine().runKernel('ZerosLike', { x: bias }) as Tensor,
      };
    },
  },
};
