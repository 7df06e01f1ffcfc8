import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { Rng } from './rng';

/**
 * Inverted dropout with a seeded mask: in training mode each element is zeroed with probability
 * `p` and the rest scaled by `1 / (1 - p)`; in eval mode (or `p = 0`) it is the identity.
 * The mask comes from this layer's own {@link Rng}, so a run is reproducible and resumable.
 */
export class Dropout extends Module {
  /** Probability of zeroing an element, in [0, 1). */
  readonly p: number;
  /** The generator the masks come from; its state is checkpointed with the trainer's. */
  readonly rng: Rng;

  constructor(p: number, rng: Rng = new Rng(0)) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout probability must be in [0, 1), got ${p}`);
    this.p = p;
    this.rng = rng;
  }

  /** `x` of any shape -> same shape: masked and rescaled in training mode, a copy otherwise. */
  forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return tf.clone(x);
    const keep = 1 - this.p;
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = this.rng.uniform() < keep ? 1 / keep : 0;
    return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape)));
  }
}
