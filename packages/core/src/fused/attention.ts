import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from './fused-kernel';

/**
 * Scaled dot-product attention with an additive mask (Vaswani et al. 2017, eq. 1):
 * `softmax(q k^T * scale + bias) v`.
 *
 * @param q - `[B, H, T, D]` float32.
 * @param k - `[B, H, Tk, D]`.
 * @param v - `[B, H, Tk, D]`.
 * @param bias - `[B|1, 1, T, Tk]`: 0 where a query may attend a key, a large negative number
 *   elsewhere (causal and padding masks); it receives no gradient.
 * @param scale - usually `1 / sqrt(D)`.
 * @param probsTransform - applied to the attention probabilities before `@ v` (dropout); when
 *   given, the plain tfjs path runs, since the fused kernel has no such hook.
 * @returns `[B, H, T, D]`. Runs the backend's `PeftAttention` kernel when it has one.
 */
export function attention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor4D,
  scale: number,
  probsTransform?: (p: tf.Tensor) => tf.Tensor,
): tf.Tensor4D {
  const [b, , t] = q.shape;
  const tk = k.shape[2];
  const fusable =
    probsTransform === undefined &&
    (bias.shape[0] === 1 || bias.shape[0] === b) &&
    bias.shape[1] === 1 &&
    bias.shape[2] === t &&
    bias.shape[3] === tk;
  if (fusable && hasFusedKernel(FUSED_KERNELS.attention)) {
    return tf.tidy(
      () => (runFusedKernel(FUSED_KERNELS.attention, { q, k, v, bias }, { scale }) as tf.Tensor[])[0] as tf.Tensor4D,
    );
  }
  return tf.tidy(() => {
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), scale), bias); // [B, H, T, Tk]
    const probs = tf.softmax(scores, -1);
    return tf.matMul(probsTransform ? probsTransform(probs) : probs, v) as tf.Tensor4D; // [B, H, T, D]
  });
}
