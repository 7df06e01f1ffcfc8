import * as tf from '@tensorflow/tfjs-core';

/**
 * The fused kernels a backend may register (today `@peftjs/backend-native`). The name is the plug
 * point: each helper in this folder runs the kernel when the active backend registers it and the
 * equivalent plain tfjs ops otherwise, so model code has one path on every backend.
 */
export const FUSED_KERNELS = {
  /** `PeftGeluTanh`: tanh-approximated GELU, see {@link geluTanh}. */
  geluTanh: 'PeftGeluTanh',
  /** `PeftLayerNorm`: LayerNorm over the last axis, see {@link layerNorm}. */
  layerNorm: 'PeftLayerNorm',
  /** `PeftRmsNorm`: RMSNorm over the last axis, see {@link rmsNorm}. */
  rmsNorm: 'PeftRmsNorm',
  /** `PeftAttention`: scaled dot-product attention with an additive mask, see {@link attention}. */
  attention: 'PeftAttention',
  /** `PeftCrossEntropy`: weighted softmax cross-entropy, see {@link softmaxCrossEntropy}. */
  crossEntropy: 'PeftCrossEntropy',
  /** `PeftLinear`: `x W^T + b`, see {@link linear}. */
  linear: 'PeftLinear',
  /** `PeftLoraDelta`: the LoRA update term `scale (x A^T) B^T`, see {@link loraDelta}. */
  loraDelta: 'PeftLoraDelta',
} as const;

/** One of the tfjs kernel names in {@link FUSED_KERNELS}, e.g. `PeftLayerNorm`. */
export type FusedKernelName = (typeof FUSED_KERNELS)[keyof typeof FUSED_KERNELS];

/** True when the active tfjs backend registers fused kernel `name` (`tf.getKernel(name, tf.getBackend())`). */
export function hasFusedKernel(name: FusedKernelName): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Runs fused kernel `name`; tfjs records it on the gradient tape like any other op. */
export function runFusedKernel(
  name: FusedKernelName,
  inputs: tf.NamedTensorMap,
  attrs: Record<string, number> = {},
): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(name, inputs, attrs);
}
