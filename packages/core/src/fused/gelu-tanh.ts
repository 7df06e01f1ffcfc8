import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from './fused-kernel';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (Hendrycks & Gimpel 2016; HF `gelu_new`, PyTorch
 * `gelu(approximate="tanh")`): `0.5 x (1 + tanh(z))`, `z = sqrt(2/pi) (x + 0.044715 x^3)`.
 * Any shape, float32. Runs the backend's `PeftGeluTanh` kernel when it has one; otherwise the same
 * maths as `x * sigmoid(2z)` (tanh is ~4x slower than sigmoid on wasm).
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  if (hasFusedKernel(FUSED_KERNELS.geluTanh)) return runFusedKernel(FUSED_KERNELS.geluTanh, { x }) as tf.Tensor;
  return tf.tidy(() => {
    const z2 = tf.mul(tf.add(x, tf.mul(tf.mul(x, tf.square(x)), 0.044715)), 2 * SQRT_2_OVER_PI);
    return tf.mul(x, tf.sigmoid(z2));
  });
}
