import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from './fused-kernel';

/**
 * Root-mean-square normalisation over the last axis (Zhang & Sennrich 2019; HF `LlamaRMSNorm`):
 * `x / sqrt(mean(x^2) + epsilon) * gamma`. `x: [..., d]`, `gamma: [d]`, float32. Runs the
 * backend's `PeftRmsNorm` kernel when it has one, else plain tfjs ops.
 */
export function rmsNorm(x: tf.Tensor, gamma: tf.Tensor, epsilon: number): tf.Tensor {
  if (hasFusedKernel(FUSED_KERNELS.rmsNorm))
    return runFusedKernel(FUSED_KERNELS.rmsNorm, { x, gamma }, { epsilon }) as tf.Tensor;
  return tf.tidy(() => {
    const ms = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, epsilon))), gamma);
  });
}
