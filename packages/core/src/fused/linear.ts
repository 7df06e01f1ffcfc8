import * as tf from '@tensorflow/tfjs-core';
import { matmulTransposeB, matmulTransposeBConstWeight } from '../matmul';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from './fused-kernel';

/**
 * `x W^T + b` (PyTorch `torch.nn.functional.linear`) for `x: [n, in]`, `weight: [out, in]`,
 * `bias: [out]` or `null` -> `[n, out]`, float32. Runs the backend's `PeftLinear` kernel when it has
 * one (one GEMM with the bias in its epilogue; a frozen weight gets no gradient computed);
 * otherwise explicit transposes and plain 2-D matmuls, the wasm fast path ({@link matmulTransposeB}).
 */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor | null): tf.Tensor2D {
  if (hasFusedKernel(FUSED_KERNELS.linear)) {
    return runFusedKernel(FUSED_KERNELS.linear, bias === null ? { x, weight } : { x, weight, bias }) as tf.Tensor2D;
  }
  return tf.tidy(() => {
    const trainable = weight instanceof tf.Variable ? weight.trainable : true;
    const y = (trainable ? matmulTransposeB : matmulTransposeBConstWeight)(x, weight);
    return bias === null ? y : (tf.add(y, bias) as tf.Tensor2D);
  });
}
