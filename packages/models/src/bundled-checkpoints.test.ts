import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, setBackend } from '@peftjs/core';
import { bundledCheckpoint } from './bundled-checkpoint';
import { ByteTokenizer } from './byte-tokenizer';
import { decisionTransformerBatch, DecisionTransformerModel } from './decision-transformer';
import { Gpt2LMHeadModel } from './gpt2-model';
import { loadMnist } from './image-datasets';
import { lmBatches } from './lm-batches';
import { MlpClassifier } from './mlp-classifier';
import { loadPretrained } from './pretrained';
import { joinTexts, loadSotu } from './text-datasets';

beforeAll(async () => {
  await setBackend('wasm');
});

/** Empirical entropy (nats) of a list of symbols: the best loss of any context-free (unigram) model on exactly them. */
function entropy(symbols: number[]): number {
  const counts = new Map<number, number>();
  for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) h -= (c / symbols.length) * Math.log(c / symbols.length);
  return h;
}

describe('bundled checkpoints', () => {
  it('gpt2-sotu-byte: held-out SOTU loss is well below the unigram entropy of the same bytes', async () => {
    const model = await loadPretrained(bundledCheckpoint('gpt2-sotu-byte'));
    if (!(model instanceof Gpt2LMHeadModel)) throw new Error('gpt2-sotu-byte should load as GPT2LMHeadModel');
    expect(model.config).toMatchObject({ vocabSize: 256, nLayer: 4, nEmbd: 128, nHead: 4, nPositions: 128 });
    const text = joinTexts(await loadSotu({ split: 'validation' }));
    const batch = lmBatches(text, {
      tokenizer: new ByteTokenizer(),
      batchSize: 4,
      seqLen: 128,
      seed: 'checkpoint-test',
    }).batchAt(0);
    const targets = (batch.inputIds.arraySync() as number[][]).flatMap((row) => row.slice(1)); // the predicted bytes
    const loss = model.loss(batch);
    const value = loss.dataSync()[0] as number;
    expect(value).toBeLessThan(entropy(targets) - 0.4);
    tf.dispose([loss, batch.inputIds, batch.attentionMask!, batch.labels!]);
    model.dispose();
  });

  it('mlp-mnist: classifies held-out MNIST digits', async () => {
    const model = await loadPretrained(bundledCheckpoint('mlp-mnist'));
    if (!(model instanceof MlpClassifier)) throw new Error('mlp-mnist should load as MLPClassifier');
    const test = await loadMnist({ split: 'test', limit: 500 });
    const inputs = tf.tensor2d(test.images, [test.count, 784]);
    const logits = model.call({ inputs });
    const predicted = tf.argMax(logits, -1).dataSync();
    const accuracy = test.labels.reduce((n, y, i) => n + (predicted[i] === y ? 1 : 0), 0) / test.count;
    expect(accuracy).toBeGreaterThan(0.9);
    tf.dispose([inputs, logits]);
    model.dispose();
  });

  it('decision-transformer-point-reach: keeps heading for the goal the way its first moves went', async () => {
    const model = await loadPretrained(bundledCheckpoint('decision-transformer-point-reach'));
    if (!(model instanceof DecisionTransformerModel))
      throw new Error('decision-transformer-point-reach should load as DecisionTransformerModel');
    expect(model.config).toMatchObject({ stateDim: 8, actDim: 2 });
    // State [x, y, goal, M] with M = identity (task rotate0): three moves right with a = (1, 0)
    // took the point 0.1 right each; the goal is still 0.5 to the right. The next action should
    // push right, not sideways.
    const k = 4;
    const states = [-0.8, -0.7, -0.6, -0.5].flatMap((x) => [x, 0, 0, 0, 1, 0, 0, 1]);
    const batch = decisionTransformerBatch(
      {
        batchSize: 1,
        length: k,
        states,
        actions: [1, 0, 1, 0, 1, 0, 0, 0],
        returnsToGo: [0, 0, 0, 0],
        timesteps: [0, 1, 2, 3],
      },
      model.config,
    );
    const out = model.call(batch);
    const [ax, ay] = (out.arraySync() as number[][][])[0]![k - 1]!;
    expect(ax).toBeGreaterThan(0.5);
    expect(Math.abs(ay!)).toBeLessThan(0.5);
    tf.dispose(out);
    disposeBatch(batch);
    model.dispose();
  });

  it('names only the bundled checkpoints', () => {
    expect(bundledCheckpoint('mlp-mnist')).toMatch(/checkpoints[\\/]mlp-mnist$/);
    // @ts-expect-error: not a bundled checkpoint
    expect(() => bundledCheckpoint('gpt2-xl')).toThrow(
      'No bundled checkpoint "gpt2-xl"; bundled: gpt2-sotu-byte, mlp-mnist, decision-transformer-point-reach',
    );
  });
});
