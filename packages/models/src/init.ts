import * as tf from '@tensorflow/tfjs-core';
import type { Parameter, Rng } from '@peftjs/core';

/** Overwrites a parameter with N(0, std^2) draws from a seeded generator. */
export function fillNormal(p: Parameter, std: number, rng: Rng): void {
  const t = tf.tensor(rng.normalArray(p.size, 0, std), p.shape);
  p.assign(t);
  t.dispose();
}

/** Overwrites a parameter with a constant. */
export function fillConstant(p: Parameter, value: number): void {
  const t = tf.fill(p.shape, value);
  p.assign(t);
  t.dispose();
}
