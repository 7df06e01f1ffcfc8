import * as tf from '@tensorflow/tfjs-core';

export interface GradientDefinition {
  value: tf.Tensor;
  /** Gradients with respect to each input, in order. */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * A typed front for `tf.customGrad`: `define(inputs, save)` receives the input tensors as an array
 * (tfjs passes them variadically, mixed with the save function, which TypeScript cannot type).
 */
export function customGradient(
  define: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => GradientDefinition,
): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1];
    if (typeof save !== 'function') throw new Error('customGradient: tfjs did not pass a save function');
    const inputs = args.slice(0, -1).filter((a): a is tf.Tensor => typeof a !== 'function');
    return define(inputs, save);
  });
}
