import * as tf from '@tensorflow/tfjs-core';
import { Rng, setBackend } from '@peftjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CausalLanguageModel } from './causal-lm';
import { fixtureDir } from './fixtures.test-support';
import { generate } from './generate';
import { loadPretrained } from './pretrained';
import { sampleNextToken } from './sampling';

beforeAll(async () => {
  await setBackend('wasm');
});

/** Frequencies of each id over `n` seeded draws. */
function frequencies(logits: number[], options: Parameters<typeof sampleNextToken>[1], n = 4000): number[] {
  const rng = new Rng(11);
  const counts = logits.map(() => 0);
  for (let i = 0; i < n; i++) counts[sampleNextToken(Float32Array.from(logits), options, rng)]! += 1 / n;
  return counts;
}

describe('sampleNextToken', () => {
  it('greedy picks the first maximum', () => {
    expect(sampleNextToken(Float32Array.from([1, 3, 2, 3]), {}, new Rng(0))).toBe(1);
  });

  it('samples from softmax(logits / temperature)', () => {
    // softmax([0, ln 3]) = [1/4, 3/4]; at temperature 2: [1, sqrt 3] / (1 + sqrt 3) = [0.366, 0.634].
    const [, p1] = frequencies([0, Math.log(3)], { temperature: 1 });
    expect(p1).toBeCloseTo(0.75, 1);
    expect(frequencies([0, Math.log(3)], { temperature: 2 })[1]).toBeCloseTo(Math.sqrt(3) / (1 + Math.sqrt(3)), 1);
  });

  it('top-k keeps the k largest logits, top-p the smallest set reaching p (HF warpers)', () => {
    // top-2 of [1, 4, 2, 3] keeps ids 1 and 3 with probabilities e/(e+1) = 0.731 and 0.269.
    const k = frequencies([1, 4, 2, 3], { temperature: 1, topK: 2 });
    expect(k[0]! + k[2]!).toBe(0);
    expect(k[1]).toBeCloseTo(Math.E / (Math.E + 1), 1);
    // Probabilities [0.5, 0.3, 0.15, 0.05], top_p 0.75: ascending cumulative 0.05, 0.2 are <= 0.25 and go; 0.5/0.8 and 0.3/0.8 remain.
    const p = frequencies([0.5, 0.3, 0.15, 0.05].map(Math.log), { temperature: 1, topP: 0.75 });
    expect(p[2]! + p[3]!).toBe(0);
    expect(p[0]).toBeCloseTo(0.625, 1);
  });

  it('rejects bad options', () => {
    const rng = new Rng(0);
    expect(() => sampleNextToken(new Float32Array(2), { temperature: -1 }, rng)).toThrow(/temperature must be >= 0/);
    expect(() => sampleNextToken(new Float32Array(2), { temperature: 1, topK: 0 }, rng)).toThrow(
      /topK must be an integer >= 1/,
    );
    expect(() => sampleNextToken(new Float32Array(2), { temperature: 1, topP: 1.5 }, rng)).toThrow(
      /topP must be in \(0, 1\]/,
    );
  });
});

describe('generate', () => {
  it('stops at EOS, samples reproducibly per seed, and leaks no tensor', async () => {
    const model = await loadPretrained(fixtureDir('hf/llama3'), { as: CausalLanguageModel });
    const prompt = [1, 40, 41, 42];
    const before = tf.memory().numTensors;
    const greedy = generate(model, prompt, { maxNewTokens: 6 });
    expect(greedy.stoppedBy).toBe('max-new-tokens');
    const first = greedy.tokens[0] as number;
    const stopped = generate(model, prompt, { maxNewTokens: 6, eosTokenIds: [first] });
    expect(stopped).toMatchObject({ tokens: [first], stoppedBy: 'eos' });
    const sampled = (seed: number) =>
      generate(model, prompt, { maxNewTokens: 8, temperature: 1.5, topK: 50, topP: 0.95, seed }).tokens;
    expect(sampled(1)).toEqual(sampled(1));
    expect(new Set([1, 2, 3, 4].map((s) => sampled(s).join())).size).toBeGreaterThan(1);
    const streamed: number[] = [];
    const result = generate(model, prompt, { maxNewTokens: 3, onToken: (id) => streamed.push(id) });
    expect(streamed).toEqual(result.tokens);
    expect(result.tokensPerSecond).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => generate(model, [], { maxNewTokens: 1 })).toThrow(/the prompt is empty/);
    expect(() => generate(model, prompt, { maxNewTokens: 0 })).toThrow(/maxNewTokens must be an integer >= 1/);
    model.dispose();
  });
});
