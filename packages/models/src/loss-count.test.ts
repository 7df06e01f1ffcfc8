import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import { gpt2Config } from './gpt2-config';
import { Gpt2LMHeadModel } from './gpt2-model';
import { MlpClassifier, mlpConfig } from './mlp-classifier';
import { padTokenBatch } from './pad-batch';

beforeAll(async () => {
  await setBackend('wasm');
});

const logSoftmax64 = (row: readonly number[]): number[] => {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
  return row.map((x) => x - lse);
};

// The count a model reports is what its loss divides by: loss * count equals the sum of the
// cross-entropies of the scored predictions, computed here by hand (float64) from the logits.
describe('scoredTargets agrees with loss', () => {
  const seqs = [
    [3, 14, 15, 9, 2, 6],
    [1, 2],
    [7, 7, 8],
  ];
  for (const side of ['left', 'right'] as const) {
    for (const withLabels of [true, false]) {
      it(`GPT-2, ${side} padding, ${withLabels ? 'with' : 'without'} labels`, () => {
        const model = new Gpt2LMHeadModel(
          gpt2Config({ vocabSize: 20, nEmbd: 8, nLayer: 1, nHead: 2, nPositions: 8, initializerRange: 0.5 }),
          { seed: 3 },
        ).eval();
        const padded = padTokenBatch(seqs, { padTokenId: 0, side });
        const batch = withLabels ? padded : { inputIds: padded.inputIds, attentionMask: padded.attentionMask! };
        const t = padded.inputIds.shape[1];
        const tensors = tf.memory().numTensors;
        const { count } = model.scoredTargets(batch);
        const loss = model.loss(batch);
        const lossValue = loss.dataSync()[0] as number;
        loss.dispose();
        expect(tf.memory().numTensors).toBe(tensors);
        const logits = model.call(batch);
        const values = logits.arraySync() as number[][][];
        logits.dispose();
        // By hand: real token i of each row predicts real token i + 1.
        let sum = 0;
        let n = 0;
        seqs.forEach((seq, r) => {
          const start = side === 'left' ? t - seq.length : 0;
          for (let i = 0; i + 1 < seq.length; i++) {
            sum -= logSoftmax64(values[r]![start + i]!)[seq[i + 1]!]!;
            n++;
          }
        });
        expect(count).toBe(n);
        expect(lossValue * count).toBeCloseTo(sum, 4);
        tf.dispose([padded.inputIds, padded.attentionMask!, padded.labels!]);
        model.dispose();
      });
    }
  }

  it('a classifier scores its rows', () => {
    const model = new MlpClassifier(mlpConfig({ inputSize: 3, hiddenSizes: [4], numLabels: 2 }), { seed: 1 });
    const batch = {
      inputs: tf.tensor2d([
        [1, 2, 3],
        [0, 1, 0],
        [2, 2, 2],
      ]),
      labels: tf.tensor1d([0, 1, 1], 'int32'),
    };
    expect(model.scoredTargets(batch).count).toBe(3);
    tf.dispose([batch.inputs, batch.labels]);
    model.dispose();
  });
});
