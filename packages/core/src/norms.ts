import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { Parameter } from './parameter';
import { assertPositiveInt } from './linear';

/** Layer normalisation over the last axis: `(x - mean) / sqrt(var + eps) * weight + bias`. */
export class LayerNorm extends Module {
  readonly dim: number;
  readonly eps: number;

  constructor(dim: number, options: { eps?: number; bias?: boolean } = {}) {
    super();
    assertPositiveInt('dim', dim);
    this.dim = dim;
    this.eps = options.eps ?? 1e-5;
    this.registerParameter('weight', new Parameter(tf.ones([dim])));
    if (options.bias ?? true) this.registerParameter('bias', new Parameter(tf.zeros([dim])));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const mean = tf.mean(x, -1, true);
      const centred = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centred), -1, true);
      const y = tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, this.eps))), (this.parameter('weight') as Parameter).value);
      const b = this.parameter('bias');
      return b === null ? y : tf.add(y, b.value);
    });
  }
}

/** Root-mean-square normalisation (Llama): `x / sqrt(mean(x^2) + eps) * weight`. */
export class RMSNorm extends Module {
  readonly dim: number;
  readonly eps: number;

  constructor(dim: number, options: { eps?: number } = {}) {
    super();
    assertPositiveInt('dim', dim);
    this.dim = dim;
    this.eps = options.eps ?? 1e-6;
    this.registerParameter('weight', new Parameter(tf.ones([dim])));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const ms = tf.mean(tf.square(x), -1, true);
      return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, this.eps))), (this.parameter('weight') as Parameter).value);
    });
  }
}
