import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from './fused-kernel';

/**
 * Weighted mean token cross-entropy (PyTorch `cross_entropy(logits, target, reduction="sum")`
 * with per-row weights, divided by `count`): `-sum_i weight_i * log softmax(logits_i)[target_i] / count`.
 *
 * @param logits - `[..., V]` float32, flattened over the leading axes to `N` rows.
 * @param target - `N` class ids in `[0, V)` (rows with weight 0 may hold any id).
 * @param weight - `N` weights (0 drops a row).
 * @param count - the divisor; returns 0 (with a gradient of 0) when it is 0.
 * @returns a scalar. Runs the backend's `PeftCrossEntropy` kernel when it has one.
 */
export function softmaxCrossEntropy(
  logits: tf.Tensor,
  target: Int32Array,
  weight: Float32Array,
  count: number,
): tf.Scalar {
  const v = logits.shape[logits.rank - 1] as number;
  return tf.tidy(() => {
    if (count === 0) return tf.mul(tf.sum(logits), 0) as tf.Scalar;
    const flat = tf.reshape(logits, [-1, v]); // [N, V]
    if (hasFusedKernel(FUSED_KERNELS.crossEntropy)) {
      return runFusedKernel(
        FUSED_KERNELS.crossEntropy,
        { logits: flat, labels: tf.tensor1d(target, 'int32'), weights: tf.tensor1d(weight) },
        { scale: 1 / count },
      ) as tf.Scalar;
    }
    const logp = tf.logSoftmax(flat, -1);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(target, 'int32'), v)), -1); // [N]
    return tf.div(tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(weight)))), count) as tf.Scalar;
  });
}
