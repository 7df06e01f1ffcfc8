import * as tf from '@tensorflow/tfjs-core';
import { loraDelta } from '@peftjs/core';
import type { LoraAdapterState } from './lora-variant';

/** `scaling * B @ A`: `[out, r] @ [r, in] -> [out, in]`. */
export function deltaWeight(adapter: LoraAdapterState): tf.Tensor2D {
  return tf.tidy(() =>
    tf.mul(tf.matMul(adapter.loraB.value as tf.Tensor2D, adapter.loraA.value as tf.Tensor2D), adapter.scaling),
  );
}

/** `scaling * dropped @ A^T @ B^T`: `[n, in] -> [n, r] -> [n, out]` (core's {@link loraDelta}, fused where the backend has the kernel). */
export function loraUpdate(adapter: LoraAdapterState, dropped: tf.Tensor2D): tf.Tensor2D {
  return loraDelta(dropped, adapter.loraA.value as tf.Tensor2D, adapter.loraB.value as tf.Tensor2D, adapter.scaling);
}
