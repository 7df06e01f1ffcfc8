import * as tf from '@tensorflow/tfjs-core';
import type { Linear } from '@peftjs/core';
import { indexedDataSource } from './data-source';

/** 16 rows `[sin i, cos i, i/16]` -> `[sin i, 1]`, in batches of 4: a regression a `Linear(3, 2)` fits. */
const xs = Array.from({ length: 16 }, (_, i) => [Math.sin(i), Math.cos(i), i / 16]);

export const toyData = indexedDataSource({
  size: xs.length,
  batchSize: 4,
  makeBatch: (ix) => ({
    x: tf.tensor2d(ix.map((i) => xs[i] as number[])),
    y: tf.tensor2d(ix.map((i) => [(xs[i] as number[])[0] as number, 1])),
  }),
});

/** Mean squared error of the model on a batch of {@link toyData}. */
export const toyLoss = (m: Linear, b: { x: tf.Tensor; y: tf.Tensor }): tf.Scalar =>
  tf.losses.meanSquaredError(b.y, m.call(b.x)) as tf.Scalar;
