import * as tf from '@tensorflow/tfjs-core';
import { matmulTransposeB } from '@peftjs/core';
import type { LoraAdapterState } from './lora-variant';

/** `scaling * B @ A`: `[out, r] @ [r, in] -> [out, in]`. */
export function deltaWeight(adapter: LoraAdapterState): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.matMul(adapter.loraB.value as tf.Tensor2D, adapter.loraA.value as tf.Tensor2D), adapter.scaling));
}

/** `scaling * dropped @ A^T @ B^T` on the fast path: `[n, in] -> [n, r] -> [n, out]`. */
export function loraUpdate(adapter: LoraAdapterState, dropped: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const h = tf.mul(matmulTransposeB(dropped, adapter.loraA.value as tf.Tensor2D), adapter.scaling) as tf.Tensor2D; // [n, r]
    return matmulTransposeB(h, adapter.loraB.value as tf.Tensor2D); // [n, r] @ [r, out]
  });
}
