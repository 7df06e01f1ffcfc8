// Test-only: a bigram language model (logits[b, t] = W[inputIds[b, t]]) whose loss and gradient are
// easy to compute by hand in double precision, scoring exactly core's causalLmTargets.
import * as tf from '@tensorflow/tfjs-core';
import { Module, Parameter, causalLmTargets } from '@peftjs/core';
import type { BatchModel, ScoredTargets, TokenBatch } from '@peftjs/core';
import type { DataSource } from '../src/data-source';

export class BigramLm extends Module<[TokenBatch], tf.Tensor> implements BatchModel<TokenBatch> {
  readonly table: Parameter;

  constructor(readonly vocab: number, values: readonly number[][]) {
    super();
    this.table = this.registerParameter('table', new Parameter(tf.tensor2d(values as number[][], [vocab, vocab])));
  }

  forward(batch: TokenBatch): tf.Tensor {
    return tf.tidy(() => {
      const [b, t] = batch.inputIds.shape;
      const oneHot = tf.oneHot(tf.reshape(batch.inputIds, [-1]), this.vocab); // [B*T, V]
      return tf.reshape(tf.matMul(oneHot, this.table.value), [b, t, this.vocab]);
    });
  }

  scoredTargets(batch: TokenBatch): ScoredTargets {
    return causalLmTargets(batch, this.vocab);
  }

  loss(batch: TokenBatch): tf.Scalar {
    const { targets, scored, count } = this.scoredTargets(batch);
    return tf.tidy(() => {
      const logp = tf.logSoftmax(tf.reshape(this.call(batch), [-1, this.vocab]));
      const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(targets, 'int32'), this.vocab)), -1);
      const total = tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(Float32Array.from(scored)))));
      return (count === 0 ? tf.mul(total, 0) : tf.div(total, count)) as tf.Scalar;
    });
  }
}

/** One token row: its ids and (optionally) its labels, before padding. */
export interface Row {
  readonly ids: readonly number[];
  readonly labels?: readonly number[];
}

/** Pads rows to `length` on `side` with `pad`, labels -100 there; `withLabels: false` leaves labels out. */
export function padRows(rows: readonly Row[], length: number, side: 'left' | 'right', options: { pad?: number; withLabels?: boolean } = {}): TokenBatch {
  const pad = options.pad ?? 0;
  const ids: number[][] = [];
  const mask: number[][] = [];
  const labels: number[][] = [];
  for (const row of rows) {
    const n = length - row.ids.length;
    const fill = <T>(v: T): T[] => Array<T>(n).fill(v);
    const place = <T>(real: readonly T[], padding: T[]): T[] => (side === 'right' ? [...real, ...padding] : [...padding, ...real]);
    ids.push(place(row.ids, fill(pad)));
    mask.push(place(row.ids.map(() => 1), fill(0)));
    labels.push(place(row.labels ?? row.ids, fill(-100)));
  }
  const shape: [number, number] = [rows.length, length];
  return {
    inputIds: tf.tensor2d(ids, shape, 'int32'),
    attentionMask: tf.tensor2d(mask, shape, 'int32'),
    ...(options.withLabels === false ? {} : { labels: tf.tensor2d(labels, shape, 'int32') }),
  };
}

/** A data source yielding fixed batches (rebuilt each epoch), in order. */
export function fixedBatches(make: () => TokenBatch[]): DataSource<TokenBatch> {
  return { batches: () => make() };
}

/** Log-softmax of one row in double precision. */
export function logSoftmax64(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
  return row.map((x) => x - lse);
}

/**
 * By hand, in double precision: the scored (context id, target id) pairs of a row, as a causal LM
 * scores them: real token i predicts real token i + 1, and only where that target's label is not -100.
 */
export function scoredPairs(row: Row): [number, number][] {
  const labels = row.labels ?? row.ids;
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < row.ids.length; i++) if (labels[i + 1] !== -100) out.push([row.ids[i] as number, labels[i + 1] as number]);
  return out;
}

/** Sum over pairs of the cross-entropy and of its gradient w.r.t. the bigram table, in float64. */
export function handLossAndGrad(table: readonly number[][], pairs: readonly [number, number][]): { sum: number; grad: number[][] } {
  const v = table.length;
  const grad = Array.from({ length: v }, () => new Array<number>(v).fill(0));
  let sum = 0;
  for (const [ctx, target] of pairs) {
    const logp = logSoftmax64(table[ctx] as number[]);
    sum -= logp[target] as number;
    const row = grad[ctx] as number[];
    logp.forEach((lp, j) => (row[j] = (row[j] as number) + Math.exp(lp) - (j === target ? 1 : 0)));
  }
  return { sum, grad };
}
