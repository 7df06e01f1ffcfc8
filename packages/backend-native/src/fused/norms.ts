import { engine, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../native-backend';
import type { NativeKernel } from '../kernels/kernel-types';
import type { FusedOp } from './fused-types';

function normForward(rms: boolean): NativeKernel {
  return ({ inputs, attrs, backend }) => {
    const x = inputs.x as TensorInfo;
    const cols = x.shape[x.shape.length - 1] as number;
    const xv = backend.floats(x);
    const out = backend.alloc(xv.length);
    const beta = inputs.beta === undefined ? null : backend.floats(inputs.beta);
    if (xv.length > 0)
      backend.addon.norm(
        out,
        xv,
        backend.floats(inputs.gamma as TensorInfo),
        beta,
        xv.length / cols,
        cols,
        attrs.epsilon as number,
        rms ? 1 : 0,
      );
    return backend.output(x.shape.slice(), out);
  };
}

function normBackward(rms: boolean): NativeKernel {
  return ({
    inputs,
    attrs,
    backend,
  }: {
    inputs: Record<string, TensorInfo | undefined>;
    attrs: Record<string, unknown>;
    backend: NativeBackend;
  }) => {
    const x = inputs.x as TensorInfo;
    const cols = x.shape[x.shape.length - 1] as number;
    const xv = backend.floats(x);
    const dx = backend.alloc(xv.length);
    const dgamma = new Float32Array(cols);
    const dbeta = rms ? null : new Float32Array(cols);
    if (xv.length > 0) {
      backend.addon.normGrad(
        dx,
        dgamma,
        dbeta,
        xv,
        backend.floats(inputs.gamma as TensorInfo),
        backend.floats(inputs.dy as TensorInfo),
        xv.length / cols,
        cols,
        attrs.epsilon as number,
        rms ? 1 : 0,
      );
    }
    const outs = [backend.output(x.shape.slice(), dx), backend.output([cols], dgamma)];
    if (dbeta !== null) outs.push(backend.output([cols], dbeta));
    return outs;
  };
}

/**
 * `PeftLayerNorm`: `(x - mean) / sqrt(var + epsilon) * gamma + beta` over the last axis (Ba et al.
 * 2016; `torch.nn.LayerNorm`), inputs `{ x: [..., d], gamma: [d], beta: [d] }`, attrs `{ epsilon }`.
 */
export const LAYER_NORM: FusedOp = {
  kernels: [
    { kernelName: 'PeftLayerNorm', kernel: normForward(false) },
    { kernelName: 'PeftLayerNormGrad', kernel: normBackward(false) },
  ],
  gradient: {
    kernelName: 'PeftLayerNorm',
    inputsToSave: ['x', 'gamma'],
    gradFunc: (dy, saved, attrs) => {
      const [x, gamma] = saved as [Tensor, Tensor];
      // One kernel computes all three; run it now, in the backward pass's scope (each closure below
      // runs in its own tidy, which would dispose the siblings of a lazily computed output).
      const [dx, dgamma, dbeta] = engine().runKernel(
        'PeftLayerNormGrad',
        { x, gamma, dy: dy as Tensor },
        attrs,
      ) as Tensor[];
      return { x: () => dx as Tensor, gamma: () => dgamma as Tensor, beta: () => dbeta as Tensor };
    },
  },
};

/**
 * `PeftRmsNorm`: `x / sqrt(mean(x^2) + epsilon) * gamma` over the last axis (Zhang & Sennrich 2019;
 * HF `LlamaRMSNorm`), inputs `{ x: [..., d], gamma: [d] }`, attrs `{ epsilon }`.
 */
export const RMS_NORM: FusedOp = {
  kernels: [
    { kernelName: 'PeftRmsNorm', kernel: normForward(true) },
    { kernelName: 'PeftRmsNormGrad', kernel: normBackward(true) as NativeKernel },
  ],
  gradient: {
    kernelName: 'PeftRmsNorm',
    inputsToSave: ['x', 'gamma'],
    gradFunc: (dy, saved, attrs) => {
      const [x, gamma] = saved as [Tensor, Tensor];
      const [dx, dgamma] = engine().runKernel('PeftRmsNormGrad', { x, gamma, dy: dy as Tensor }, attrs) as Tensor[];
      return { x: () => dx as Tensor, gamma: () => dgamma as Tensor };
    },
  },
};
