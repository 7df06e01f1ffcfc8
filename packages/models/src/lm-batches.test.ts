import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import { lmBatches } from './lm-batches';
import { featureBatches } from './feature-batches';
import { textClassificationBatches } from './text-classification-batches';
import { padTokenBatch } from './pad-batch';
import { ByteTokenizer } from './byte-tokenizer';

beforeAll(async () => {
  await setBackend('wasm');
});

const text = Array.from({ length: 400 }, (_, i) => `line ${i} of the corpus; `).join('');

function rows(t: tf.Tensor2D): number[][] {
  return t.arraySync();
}

describe('lmBatches', () => {
  it('yields seeded random windows of the tokenized text, every window exactly once per epoch', async () => {
    const ids = new ByteTokenizer().encode(text);
    const stream = lmBatches(text, { batchSize: 4, seqLen: 32, seed: 5, epochs: 2 });
    expect(stream.windowsPerEpoch).toBe(Math.floor((ids.length - 31) / 32));
    expect(stream.totalBatches).toBe(2 * Math.floor(stream.windowsPerEpoch / 4));
    const starts: number[][] = [[], []];
    let n = 0;
    for await (const batch of stream) {
      const epoch = Math.floor(n++ / stream.batchesPerEpoch);
      expect(batch.inputIds.shape).toEqual([4, 32]);
      expect(rows(batch.labels!)).toEqual(rows(batch.inputIds));
      expect(tf.sum(batch.attentionMask!).dataSync()[0]).toBe(4 * 32);
      for (const row of rows(batch.inputIds)) {
        // Each row is a contiguous slice of the token sequence at the epoch's phase.
        const at = ids.findIndex((_, i) => row.every((v, j) => ids[i + j] === v));
        expect(at).toBeGreaterThanOrEqual(0);
        starts[epoch]!.push(at);
      }
      tf.dispose([batch.inputIds, batch.attentionMask!, batch.labels!]);
    }
    for (const s of starts) {
      expect(new Set(s.map((x) => x % 32)).size).toBe(1); // one phase per epoch
      expect(new Set(s).size).toBe(s.length); // no window twice
    }
    expect(starts[0]).not.toEqual(starts[1]); // reshuffled
  });

  it('is deterministic per seed and resumes at any batch index', async () => {
    const a = lmBatches(text, { batchSize: 3, seqLen: 16, seed: 1, loop: true });
    const b = lmBatches(text, { batchSize: 3, seqLen: 16, seed: 1, loop: true });
    const c = lmBatches(text, { batchSize: 3, seqLen: 16, seed: 2, loop: true });
    const index = a.batchesPerEpoch + 3; // second epoch
    const fromStart: number[][][] = [];
    let i = 0;
    for await (const batch of a) {
      fromStart.push(rows(batch.inputIds));
      tf.dispose([batch.inputIds, batch.attentionMask!, batch.labels!]);
      if (++i > index) break;
    }
    const resumed = b.from(index);
    const first = (await resumed.next()).value!;
    expect(rows(first.inputIds)).toEqual(fromStart[index]);
    const other = c.batchAt(0);
    expect(rows(other.inputIds)).not.toEqual(fromStart[0]);
    tf.dispose([
      first.inputIds,
      first.attentionMask!,
      first.labels!,
      other.inputIds,
      other.attentionMask!,
      other.labels!,
    ]);
  });

  it('shuffle: false walks the windows in order (evaluation), keeping the last partial batch', () => {
    const ids = Array.from({ length: 50 }, (_, i) => i % 7);
    const s = lmBatches(ids, { batchSize: 2, seqLen: 10, shuffle: false, dropLast: false });
    expect(s.batchesPerEpoch).toBe(3);
    const last = s.batchAt(2);
    expect(rows(last.inputIds)).toEqual([ids.slice(40, 50)]);
    tf.dispose([last.inputIds, last.attentionMask!, last.labels!]);
    expect(() => lmBatches(ids, { batchSize: 8, seqLen: 10 })).toThrow(/not one batch of 8/);
    expect(() => s.batchAt(3)).toThrow(/batch index 3 is outside \[0, 3\)/);
  });
});

describe('padTokenBatch', () => {
  it('pads right or left with mask 0 and label -100 at padding', () => {
    const right = padTokenBatch([[5, 6, 7], [8]], { padTokenId: 0 });
    expect(rows(right.inputIds)).toEqual([
      [5, 6, 7],
      [8, 0, 0],
    ]);
    expect(rows(right.attentionMask!)).toEqual([
      [1, 1, 1],
      [1, 0, 0],
    ]);
    expect(rows(right.labels!)).toEqual([
      [5, 6, 7],
      [8, -100, -100],
    ]);
    const left = padTokenBatch([[5, 6, 7], [8]], { padTokenId: 9, side: 'left', maxLength: 2 });
    expect(rows(left.inputIds)).toEqual([
      [5, 6],
      [9, 8],
    ]);
    expect(rows(left.attentionMask!)).toEqual([
      [1, 1],
      [0, 1],
    ]);
    tf.dispose([right.inputIds, right.attentionMask!, right.labels!, left.inputIds, left.attentionMask!, left.labels!]);
  });
});

describe('featureBatches and textClassificationBatches', () => {
  it('featureBatches: rows and labels travel together; resumable', () => {
    const count = 10;
    const images = Float32Array.from({ length: count * 3 }, (_, i) => Math.floor(i / 3));
    const labels = Int32Array.from({ length: count }, (_, i) => i);
    const s = featureBatches({ images, labels, count }, { batchSize: 4, seed: 3, epochs: 2 });
    expect(s.batchesPerEpoch).toBe(2);
    const seen: number[] = [];
    for (let i = 0; i < s.totalBatches; i++) {
      const b = s.batchAt(i);
      const x = b.inputs.arraySync();
      const y = Array.from(b.labels!.dataSync());
      x.forEach((row, r) => {
        expect(row).toEqual([y[r], y[r], y[r]]);
      });
      if (i < 2) seen.push(...y);
      tf.dispose([b.inputs, b.labels!]);
    }
    expect(new Set(seen).size).toBe(8);
  });

  it('textClassificationBatches: padded token batches with classLabels', () => {
    const examples = [
      { text: 'spam spam', label: 1 },
      { text: 'ham', label: 0 },
      { text: 'hello there', label: 0 },
    ];
    const s = textClassificationBatches(examples, {
      tokenizer: new ByteTokenizer(),
      batchSize: 3,
      maxLength: 5,
      shuffle: false,
    });
    const b = s.batchAt(0);
    expect(rows(b.inputIds)).toEqual([
      [115, 112, 97, 109, 32],
      [104, 97, 109, 0, 0],
      [104, 101, 108, 108, 111],
    ]);
    expect(Array.from(b.classLabels!.dataSync())).toEqual([1, 0, 0]);
    tf.dispose([b.inputIds, b.attentionMask!, b.labels!, b.classLabels!]);
  });
});
