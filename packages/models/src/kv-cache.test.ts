import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '@peftjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CausalLanguageModel } from './causal-lm';
import { fixtureDir } from './fixtures.test-support';
import { generate } from './generate';
import { KvCache } from './kv-cache';
import { loadPretrained } from './pretrained';

beforeAll(async () => {
  await setBackend('wasm');
});

const FAMILIES = ['gpt2', 'llama3', 'qwen2', 'qwen3', 'mistral', 'gemma3'];

/** Logits `[B, T, V]` of a full forward pass (no cache) as a host array. */
function fullLogits(model: CausalLanguageModel, ids: number[][], mask: number[][]): Float32Array {
  return tf.tidy(() => {
    const [b, t] = [ids.length, (ids[0] as number[]).length];
    return model
      .call({
        inputIds: tf.tensor2d(ids.flat(), [b, t], 'int32'),
        attentionMask: tf.tensor2d(mask.flat(), [b, t], 'int32'),
      })
      .dataSync() as Float32Array;
  });
}

describe.each(FAMILIES)('KvCache on %s', (name) => {
  it('gives the logits of a full forward pass, fed in chunks (prefill, several tokens, then one at a time), left padding included', async () => {
    const model = await loadPretrained(fixtureDir(`hf/${name}`), { as: CausalLanguageModel });
    const v = model.vocabSize;
    // Two rows of 14 tokens (row 1 left-padded by 3); long enough to cross Gemma 3's sliding window of 8.
    const ids = [
      Array.from({ length: 14 }, (_, i) => (i * 37 + 5) % v),
      [0, 0, 0, ...Array.from({ length: 11 }, (_, i) => (i * 11 + 3) % v)],
    ];
    const mask = [Array(14).fill(1), [0, 0, 0, ...Array(11).fill(1)]];
    const reference = fullLogits(model, ids, mask);
    const before = tf.memory().numTensors;
    const cache = new KvCache();
    const chunks = [
      [0, 5],
      [5, 8],
      [8, 9],
      [9, 10],
      [10, 11],
      [11, 12],
      [12, 13],
      [13, 14],
    ] as const;
    let worst = 0;
    for (const [from, to] of chunks) {
      const part = tf.tidy(() => {
        const slice = (rows: number[][]) =>
          tf.tensor2d(
            rows.flatMap((r) => r.slice(from, to)),
            [2, to - from],
            'int32',
          );
        return model.call({ inputIds: slice(ids), attentionMask: slice(mask), cache }).dataSync() as Float32Array;
      });
      for (let b = 0; b < 2; b++) {
        for (let t = from; t < to; t++) {
          if (mask[b]?.[t] === 0) continue;
          for (let k = 0; k < v; k++)
            worst = Math.max(
              worst,
              Math.abs(
                (part[(b * (to - from) + t - from) * v + k] as number) - (reference[(b * 14 + t) * v + k] as number),
              ),
            );
        }
      }
    }
    expect(cache.length).toBe(14);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(worst).toBeLessThanOrEqual(1e-4);
    model.dispose();
  });

  it('cached and uncached greedy decoding give the same tokens', async () => {
    const model = await loadPretrained(fixtureDir(`hf/${name}`), { as: CausalLanguageModel });
    const prompt = [3, 17, 42, 7, 99, 5];
    const before = tf.memory().numTensors;
    const cached = generate(model, prompt, { maxNewTokens: 20 });
    const uncached = generate(model, prompt, { maxNewTokens: 20, useCache: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(cached.tokens).toHaveLength(20);
    expect(cached.tokens).toEqual(uncached.tokens);
    model.dispose();
  });
});

describe('KvCache', () => {
  it('rejects a batch of another size than the one it holds', () => {
    const cache = new KvCache();
    cache.step(2, 3);
    expect(() => cache.step(1, 1)).toThrow(/the cache holds 2 row\(s\) but the batch has 1/);
    cache.dispose();
    expect(cache.length).toBe(0);
  });
});
