import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from './fused-kernel';

/**
 * Layer normalisation over the last axis (Ba et al. 2016; `torch.nn.functional.layer_norm`):
 * `(x - mean) / sqrt(var + epsilon) * gamma + beta` with the biased variance.
 * `x: [..., d]`, `gamma, beta: [d]` (beta may be `null`), float32. Runs the backend's
 * `PeftLayerNorm` kernel when it has one (and beta is given), else plain tfjs ops.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor | null, epsilon: number): tf.Tensor {
  if (beta !== null && hasFusedKernel(FUSED_KERNELS.layerNorm)) {
    return runFusedKernel(FUSED_KERNELS.layerNorm, { x, gamma, beta }, { epsilon }) as tf.Tensor;
  }
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    const y = tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, epsilon))), gamma);
    return beta === null ? y : tf.add(y, beta);
  });
}
