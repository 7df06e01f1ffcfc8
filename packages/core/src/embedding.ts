import * as tf from '@tensorflow/tfjs-core';
import { customGradient } from './custom-grad';
import { Module } from './module';
import { Parameter } from './parameter';
import { PeftjsError } from './peftjs-error';
import { Rng } from './rng';
import { assertPositiveInt } from './linear';

/**
 * A lookup table `weight: [numEmbeddings, dim]` (init N(0, 1) as PyTorch; models re-init as they need).
 *
 * The wasm backend has no gradient kernel for `gather`, so the backward pass is written by hand:
 * `dW = oneHot(ids)^T @ dy`, computed with a plain 2-D matmul that every backend has.
 */
export class Embedding extends Module {
  /** Rows of the table: the vocabulary size. */
  readonly numEmbeddings: number;
  /** Width of each embedding vector. */
  readonly dim: number;

  constructor(numEmbeddings: number, dim: number, options: { rng?: Rng; std?: number } = {}) {
    super();
    assertPositiveInt('numEmbeddings', numEmbeddings);
    assertPositiveInt('dim', dim);
    this.numEmbeddings = numEmbeddings;
    this.dim = dim;
    const rng = options.rng ?? new Rng(0);
    this.registerParameter(
      'weight',
      new Parameter(tf.tensor2d(rng.normalArray(numEmbeddings * dim, 0, options.std ?? 1), [numEmbeddings, dim])),
    );
  }

  /** The table `[numEmbeddings, dim]` float32. */
  get weight(): Parameter {
    return this.parameter('weight') as Parameter;
  }

  /** `ids: int32 [...]` -> `[..., dim]`. Ids outside `[0, numEmbeddings)` are an error. */
  forward(ids: tf.Tensor): tf.Tensor {
    assertIdsInRange(ids, this.numEmbeddings);
    return tf.tidy(() => {
      const flat = tf.cast(tf.reshape(ids, [-1]), 'int32');
      const rows = this.weight.trainable
        ? gatherWithGrad(this.weight.value as tf.Tensor2D, flat as tf.Tensor1D)
        : tf.gather(this.weight.value, flat);
      return tf.reshape(rows, [...ids.shape, this.dim]);
    });
  }
}

function gatherWithGrad(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor {
  const f = customGradient(([w], save) => {
    save([ids]); // the forward's tidy frees `ids` unless the tape keeps it
    return {
      value: tf.gather(w as tf.Tensor, ids),
      // [V, n] @ [n, d] -> [V, d]
      gradFunc: (dy, [savedIds]) => [
        tf.matMul(
          tf.cast(tf.transpose(tf.oneHot(savedIds as tf.Tensor1D, table.shape[0])), 'float32'),
          dy as tf.Tensor2D,
        ),
      ],
    };
  });
  return f(table);
}

/** Throws a clear error for token ids outside `[0, size)`. One small read-back per call. */
export function assertIdsInRange(ids: tf.Tensor, size: number): void {
  if (ids.size === 0) return;
  const [lo, hi] = tf.tidy(() => [tf.min(ids), tf.max(ids)]) as [tf.Tensor, tf.Tensor];
  const min = lo.dataSync()[0] as number;
  const max = hi.dataSync()[0] as number;
  lo.dispose();
  hi.dispose();
  if (min < 0 || max >= size) {
    throw new PeftjsError(
      'E_TOKEN_RANGE',
      `Token id out of range: ids span [${min}, ${max}] but the vocabulary has ${size} entries (valid ids 0..${size - 1})`,
    );
  }
}
