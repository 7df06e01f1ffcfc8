import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, disposeBatch, setBackend } from '@peftjs/core';
import { keptRowIndex } from './kept-rows';
import { paddedBatch } from './tiny-transformer.test-support';

beforeAll(async () => {
  await setBackend('wasm');
});

describe('keptRowIndex', () => {
  it('keeps attended tokens, and with the label mask only tokens that take a loss', () => {
    const batch = paddedBatch(new Rng(3), 11, [5, 2, 7], 7, 2);
    const before = tf.memory().numTensors;
    const expectIndex = (useLabelMask: boolean) =>
      batch.js.mask.flatMap((m, i) => (m === 1 && (!useLabelMask || batch.js.labels[i] !== -100) ? [i] : []));
    for (const useLabelMask of [true, false]) {
      const kept = keptRowIndex(batch, { useLabelMask });
      expect([...kept.index.dataSync()]).toEqual(expectIndex(useLabelMask));
      expect(kept.kept).toBe(expectIndex(useLabelMask).length);
      expect(kept.positions).toBe(21);
      expect(kept.leadingShape).toEqual([3, 7]);
      kept.index.dispose();
    }
    expect(expectIndex(true).length).toBe(3 + 0 + 5);
    expect(expectIndex(false).length).toBe(5 + 2 + 7);
    expect(tf.memory().numTensors).toBe(before);
    disposeBatch(batch);
  });

  it('honours a custom label mask value, batches without mask or labels, and feature batches', () => {
    const inputIds = tf.tensor2d(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [2, 3],
      'int32',
    );
    const labels = tf.tensor2d(
      [
        [7, -1, 7],
        [-1, -100, 7],
      ],
      [2, 3],
      'int32',
    );
    const kept = keptRowIndex({ inputIds, labels }, { labelMaskValue: -1 });
    expect([...kept.index.dataSync()]).toEqual([0, 2, 4, 5]);
    const all = keptRowIndex({ inputIds });
    expect(all.kept).toBe(6);
    const features = keptRowIndex({ inputs: tf.zeros([4, 3]) as tf.Tensor2D });
    expect([...features.index.dataSync()]).toEqual([0, 1, 2, 3]);
    expect(features.leadingShape).toEqual([4]);
    tf.dispose([inputIds, labels, kept.index, all.index, features.index]);
  });

  it('rejects masks whose shape differs from inputIds', () => {
    const inputIds = tf.zeros([2, 3], 'int32') as tf.Tensor2D;
    const attentionMask = tf.ones([2, 4], 'int32') as tf.Tensor2D;
    expect(() => keptRowIndex({ inputIds, attentionMask })).toThrowError(
      'TokenBatch.attentionMask has shape [2, 4] but inputIds has [2, 3]; they must match',
    );
    tf.dispose([inputIds, attentionMask]);
  });
});
