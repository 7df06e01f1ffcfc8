import * as tf from '@tensorflow/tfjs-core';
import { Module, Parameter } from '@peftjs/core';

/**
 * Gemma's RMSNorm (HF `Gemma3RMSNorm`): `x / sqrt(mean(x^2) + eps) * (1 + weight)`, weight
 * initialised to zeros. Shape `[..., dim]` in, same out.
 */
export class OffsetRMSNorm extends Module {
  constructor(
    /** Width `d` of the normalised last axis; `weight` is `[d]`. */
    readonly dim: number,
    /** Added to `mean(x^2)` (default 1e-6, as HF). */
    readonly eps = 1e-6,
  ) {
    super();
    this.registerParameter('weight', new Parameter(tf.zeros([dim])));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const ms = tf.mean(tf.square(x), -1, true);
      return tf.mul(
        tf.mul(x, tf.rsqrt(tf.add(ms, this.eps))),
        tf.add(1, (this.parameter('weight') as Parameter).value),
      );
    });
  }
}
