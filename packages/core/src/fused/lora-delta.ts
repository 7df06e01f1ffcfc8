import * as tf from '@tensorflow/tfjs-core';
import { matmulTransposeB } from '../matmul';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from './fused-kernel';

/**
 * The LoRA update `scale (x A^T) B^T` (Hu et al. 2021, eq. 3) for `x: [n, in]`, `a: [r, in]`,
 * `b: [out, r]` -> `[n, out]`, float32. Runs the backend's `PeftLoraDelta` kernel when it has one
 * (both GEMMs in one call, `x A^T` kept for the backward pass); otherwise two plain-matmul products.
 */
export function loraDelta(x: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D, scale: number): tf.Tensor2D {
  if (hasFusedKernel(FUSED_KERNELS.loraDelta)) {
    return tf.tidy(
      () => (runFusedKernel(FUSED_KERNELS.loraDelta, { x, a, b }, { scale }) as tf.Tensor[])[0] as tf.Tensor2D,
    );
  }
  return tf.tidy(() => {
    const h = tf.mul(matmulTransposeB(x, a), scale) as tf.Tensor2D; // [n, in] @ [in, r] -> [n, r]
    return matmulTransposeB(h, b); // [n, r] @ [r, out] -> [n, out]
  });
}
