import * as tf from '@tensorflow/tfjs-core';

/** The value of `t` with no gradient flowing back (PyTorch's `.detach()`; tfjs has no `stopGradient`). */
export function detach<T extends tf.Tensor>(t: T): T {
  return detachGrad(t) as T;
}

const detachGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const t = args[0];
  if (!(t instanceof tf.Tensor)) throw new Error('detach: expected a tensor');
  return { value: tf.clone(t), gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)] };
});
