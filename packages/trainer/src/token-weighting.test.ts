import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import type { TokenBatch } from '@peftjs/core';
import { BigramLm, fixedBatches, handLossAndGrad, logSoftmax64, padRows, scoredPairs } from '../test/bigram-lm';
import type { Row } from '../test/bigram-lm';
import { CharLm } from '../test/char-lm';
import type { CharBatch } from '../test/char-lm';
import { AdamW } from './adamw';
import { evaluate } from './evaluate';
import { accuracyMetric, lossMetric, perplexityMetric } from './metric';
import { Sgd } from './sgd';
import { train } from './train';

// Reference values below are computed by hand in double precision (handLossAndGrad, logSoftmax64),
// never by the code under test. Tolerances: float32 forward/backward on values of order 1 -> 2e-6.
const V = 5;
const T = 12;
const TABLE = Array.from({ length: V }, (_, i) => Array.from({ length: V }, (_, j) => Math.sin(7 * i + 3 * j + 1)));
// Four right-padded rows: the first micro-batch scores 11 + 11 = 22 tokens, the second 1 + 2 = 3.
const ROWS: Row[] = [
  { ids: [1, 2, 3, 4, 1, 2, 3, 4, 1, 3, 2, 4] },
  { ids: [4, 3, 2, 1, 4, 3, 2, 1, 2, 2, 3, 1] },
  { ids: [2, 4] },
  { ids: [3, 1, 2] },
];
const batchesOf = (size: number, rows: readonly Row[] = ROWS) =>
  fixedBatches(() =>
    Array.from({ length: Math.ceil(rows.length / size) }, (_, i) =>
      padRows(rows.slice(i * size, (i + 1) * size), T, 'right'),
    ),
  );
const pairsOf = (rows: readonly Row[]) => rows.flatMap(scoredPairs);
const tableOf = (model: BigramLm): number[][] => model.table.value.arraySync() as number[][];
const maxAbsDiff = (a: number[][], b: number[][]) =>
  Math.max(...a.flatMap((row, i) => row.map((x, j) => Math.abs(x - (b[i] as number[])[j]!))));
const minus = (a: number[][], g: number[][], scale: number) =>
  a.map((row, i) => row.map((x, j) => x - scale * (g[i] as number[])[j]!));

beforeAll(async () => {
  await setBackend('wasm');
});

describe('gradient accumulation averages over scored tokens (HF num_items_in_batch)', () => {
  const first = handLossAndGrad(TABLE, pairsOf(ROWS.slice(0, 2)));
  const second = handLossAndGrad(TABLE, pairsOf(ROWS.slice(2)));
  const total = handLossAndGrad(TABLE, pairsOf(ROWS));
  const expected = minus(TABLE, total.grad, 1 / 25); // one SGD step, lr 1: -(22 g1 + 3 g2) / 25

  it('counts 22 and 3 scored tokens in the two micro-batches', () => {
    expect(pairsOf(ROWS.slice(0, 2))).toHaveLength(22);
    expect(pairsOf(ROWS.slice(2))).toHaveLength(3);
    // The test can tell the rules apart: averaging per micro-batch, -(g1 + g2) / 2, is far off.
    const perMicroBatch = minus(minus(TABLE, first.grad, 1 / 44), second.grad, 1 / 6);
    expect(maxAbsDiff(perMicroBatch, expected)).toBeGreaterThan(1e-2);
  });

  it('two micro-batches with gradientAccumulationSteps 2 give the update and the loss of one batch of four', async () => {
    for (const [batchSize, accumulation] of [
      [2, 2],
      [4, 1],
    ] as const) {
      const model = new BigramLm(V, TABLE);
      const tensors = tf.memory().numTensors;
      const result = await train({
        model,
        data: batchesOf(batchSize),
        optimizer: new Sgd({ learningRate: 1 }),
        maxSteps: 1,
        gradientAccumulationSteps: accumulation,
      });
      expect(tf.memory().numTensors).toBe(tensors);
      expect(maxAbsDiff(tableOf(model), expected)).toBeLessThan(2e-6);
      expect(result.history[0]?.loss).toBeCloseTo(total.sum / 25, 5);
      expect(result.history[0]?.scored).toBe(25);
      model.dispose();
    }
  });

  it('a micro-batch whose labels are all -100 contributes nothing (no NaN); a window of only such batches changes nothing', async () => {
    const ignored: Row = { ids: [1, 2, 3], labels: [-100, -100, -100] };
    const model = new BigramLm(V, TABLE);
    const data = fixedBatches(() => [padRows(ROWS.slice(0, 2), T, 'right'), padRows([ignored, ignored], T, 'right')]);
    const result = await train({
      model,
      data,
      optimizer: new Sgd({ learningRate: 1 }),
      maxSteps: 1,
      gradientAccumulationSteps: 2,
    });
    expect(maxAbsDiff(tableOf(model), minus(TABLE, first.grad, 1 / 22))).toBeLessThan(2e-6);
    expect(result.history[0]?.loss).toBeCloseTo(first.sum / 22, 5);
    model.dispose();

    const still = new BigramLm(V, TABLE);
    const before = tableOf(still);
    const only = await train({
      model: still,
      data: fixedBatches(() => [padRows([ignored], T, 'right')]),
      optimizer: new AdamW({ learningRate: 0.1, weightDecay: 0.1 }),
      maxSteps: 2,
    });
    expect(tableOf(still)).toEqual(before);
    expect(only.history.map((h) => [h.loss, h.scored])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    still.dispose();
  });
});

describe('evaluation averages over scored tokens, whatever the eval batch size', () => {
  it('gives the token mean and its perplexity for eval batch sizes 1, 2 and 4', async () => {
    const total = handLossAndGrad(TABLE, pairsOf(ROWS));
    const model = new BigramLm(V, TABLE);
    for (const size of [1, 2, 4]) {
      const tensors = tf.memory().numTensors;
      const metrics = await evaluate({ model, data: batchesOf(size) });
      expect(tf.memory().numTensors).toBe(tensors);
      expect(metrics['loss']).toBeCloseTo(total.sum / 25, 5);
      expect(metrics['perplexity']! / Math.exp(total.sum / 25)).toBeCloseTo(1, 5);
    }
    model.dispose();
  });

  it('classification batches weigh their rows', async () => {
    const model = new CharLm(2, 4, 8, { seed: 3 }).eval();
    const contexts = [
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ];
    const labels = [0, 5, 9, 2];
    const make = (ix: number[]): CharBatch => ({
      inputs: tf.tensor2d(
        ix.map((i) => contexts[i]!),
        [ix.length, 2],
        'int32',
      ),
      labels: tf.tensor1d(
        ix.map((i) => labels[i]!),
        'int32',
      ),
    });
    const all = make([0, 1, 2, 3]);
    const logits = tf.tidy(() => model.call(all)).arraySync() as number[][];
    tf.dispose([all.inputs, all.labels]);
    const rowMean = logits.reduce((s, row, i) => s - logSoftmax64(row)[labels[i]!]!, 0) / 4;
    const metrics = await evaluate({
      model,
      data: { batches: () => [make([0, 1, 2]), make([3])] },
      metrics: [lossMetric()],
    });
    expect(metrics['loss']).toBeCloseTo(rowMean, 5);
    model.dispose();
  });
});

describe('metrics count exactly the positions the loss scores', () => {
  // Pad id 0 predicts 0 with a large margin: a metric that counted padding would score hits there.
  const table = TABLE.map((row, i) => row.map((x, j) => (i === 0 && j === 0 ? 5 : x)));
  const rows: Row[] = [
    { ids: [1, 2, 3, 4, 1, 2], labels: [-100, -100, 3, 4, 1, 2] }, // a prompt of two tokens takes no loss
    { ids: [2, 2, 4] },
    { ids: [4, 1, 3, 3, 2] },
  ];
  const argmax = (row: readonly number[]) => row.indexOf(Math.max(...row));

  for (const side of ['left', 'right'] as const) {
    for (const withLabels of [true, false]) {
      it(`${side}-padded, ${withLabels ? 'with' : 'without'} labels: loss, perplexity and accuracy over the same positions`, async () => {
        const pairs = pairsOf(withLabels ? rows : rows.map((r) => ({ ids: r.ids })));
        const hand = handLossAndGrad(table, pairs);
        const hits = pairs.filter(([ctx, target]) => argmax(table[ctx]!) === target).length;
        const model = new BigramLm(V, table);
        for (const size of [1, 3]) {
          const data = fixedBatches(() =>
            [0, 1, 2]
              .filter((i) => i % size === 0)
              .map((i) => padRows(rows.slice(i, i + size), 8, side, { withLabels })),
          );
          const count = model.scoredTargets(padRows(rows, 8, side, { withLabels }) as TokenBatch).count;
          expect(count).toBe(pairs.length);
          const metrics = await evaluate({
            model,
            data,
            metrics: [
              lossMetric(),
              perplexityMetric(),
              accuracyMetric(),
              accuracyMetric({ name: 'shifted', shiftLabels: true, labels: (b: TokenBatch) => b.labels ?? b.inputIds }),
            ],
          });
          expect(metrics['loss']).toBeCloseTo(hand.sum / pairs.length, 5);
          expect(metrics['perplexity']! / Math.exp(hand.sum / pairs.length)).toBeCloseTo(1, 5);
          expect(metrics['accuracy']).toBe(hits / pairs.length);
          expect(metrics['shifted']).toBe(hits / pairs.length);
        }
        model.dispose();
      });
    }
  }
});
