import * as tf from '@tensorflow/tfjs-core';

/**
 * The fused kernels a backend may register (today `@peftjs/backend-native`). The name is the plug
 * point: each helper in this folder runs the kernel when the active backend registers it and the
 * equivalent plain tfjs ops otherwise, so model code has one path on every backend.
 */
export const FUSED_KERNELS = {
  geluTanh: 'PeftGeluTanh',
  layerNorm: 'PeftLayerNorm',
  rmsNorm: 'PeftRmsNorm',
  attention: 'PeftAttention',
  crossEntropy: 'PeftCrossEntropy',
  linear: 'PeftLinear',
  loraDelta: 'PeftLoraDelta',
} as const;

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
