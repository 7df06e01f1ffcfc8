import { engine, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import type { FusedOp } from './fused-types';

/**
 * `PeftCrossEntropy`: `-scale * sum_i weights_i * log softmax(logits_i)[labels_i]` (PyTorch
 * `cross_entropy` with per-row weights), inputs `{ logits: [N, V] float32, labels: [N] int32,
 * weights: [N] float32 }`, attrs `{ scale }`; a scalar. Gradient: `scale * w_i (softmax - onehot)`.
 */
export const CROSS_ENTROPY: FusedOp = {
  kernels: [
    {
      kernelName: 'PeftCrossEntropy',
      kernel: ({ inputs, attrs, backend }) => {
        const logits = inputs.logits as TensorInfo;
        const [n, v] = logits.shape as [number, number];
        const out = new Float32Array(1);
        backend.addon.crossEntropy(
          out,
          backend.floats(logits),
          backend.ints(inputs.labels as TensorInfo),
          backend.floats(inputs.weights as TensorInfo),
          n,
          v,
          attrs.scale as number,
        );
        return backend.output([], out);
      },
    },
    {
      kernelName: 'PeftCrossEntropyGrad',
      kernel: ({ inputs, attrs, backend }) => {
        const logits = inputs.logits as TensorInfo;
        const [n, v] = logits.shape as [number, number];
        const dy = backend.floats(inputs.dy as TensorInfo)[0] as number;
        const out = backend.alloc(n * v);
        backend.addon.crossEntropyGrad(
          out,
          backend.floats(logits),
          backend.ints(inputs.labels as TensorInfo),
          backend.floats(inputs.weights as TensorInfo),
          n,
          v,
          (attrs.scale as number) * dy,
        );
        return backend.output([n, v], out);
      },
    },
  ],
  gradient: {
    kernelName: 'PeftCrossEntropy',
    inputsToSave: ['logits', 'labels', 'weights'],
    gradFunc: (dy, saved, attrs) => {
      const [logits, labels, weights] = saved as [Tensor, Tensor, Tensor];
      return {
        logits: () =>
          engine().runKernel('PeftCrossEntropyGrad', { logits, labels, weights, dy: dy as Tensor }, attrs) as Tensor,
        labels: () => engine().runKernel('ZerosLike', { x: labels }) as Tensor,
        weights: () => engine().runKernel('ZerosLike', { x: weights }) as Tensor,
      };
    },
  },
};
