import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import { fixtureDir, logitsOn, maxAbsDiffAtTokens, readHfReference } from './fixtures.test-support';
import { LlamaForCausalLM } from './llama-model';
import { loadPretrained } from './pretrained';

beforeAll(async () => {
  await setBackend('wasm');
});

// References from a literal PyTorch re-implementation of transformers 5's modeling code
// (tools/models/make_family_fixtures.py): GQA ratios, tied/untied heads, linear/dynamic/yarn/llama3
// rope, sliding windows smaller than the 20-token sequence, soft-capping, transformers 4 and 5
// layouts, float16/bfloat16 weights, a sharded file. Rows: unpadded, right-padded, left-padded.
const CASES: Record<string, { architecture: string; check: (m: LlamaForCausalLM) => void }> = {
  'llama-gqa4-linear-v4': {
    architecture: 'LlamaForCausalLM',
    check: (m) => expect(m.config.rope.full_attention.scaling).toEqual({ kind: 'linear', factor: 2 }),
  },
  'llama-mqa-tied-dynamic': {
    architecture: 'LlamaForCausalLM',
    check: (m) =>
      expect([
        m.config.numKeyValueHeads,
        m.config.tieWordEmbeddings,
        m.config.rope.full_attention.scaling.kind,
      ]).toEqual([1, true, 'dynamic']),
  },
  'llama-yarn-bf16-sharded': {
    architecture: 'LlamaForCausalLM',
    check: (m) => expect(m.config.rope.full_attention.scaling.kind).toBe('yarn'),
  },
  'mistral-window5-f16-v4': {
    architecture: 'MistralForCausalLM',
    check: (m) =>
      expect([m.config.slidingWindow, ...m.config.layerTypes]).toEqual([5, 'sliding_attention', 'sliding_attention']),
  },
  'qwen2-sliding-llama3-v4': {
    architecture: 'Qwen2ForCausalLM',
    check: (m) =>
      expect([m.config.slidingWindow, ...m.config.layerTypes]).toEqual([4, 'full_attention', 'sliding_attention']),
  },
  'qwen3-mha-hd24-tied': {
    architecture: 'Qwen3ForCausalLM',
    check: (m) => expect([m.config.headDim, m.config.hiddenSize, m.config.numKeyValueHeads]).toEqual([24, 64, 4]),
  },
  'gemma3-softcap-window4': {
    architecture: 'Gemma3ForCausalLM',
    check: (m) =>
      expect([m.config.attnLogitSoftcapping, m.config.finalLogitSoftcapping, m.config.slidingWindow]).toEqual([
        1.5, 2.5, 4,
      ]),
  },
  'gemma3-v4-pattern2-tied': {
    architecture: 'Gemma3ForCausalLM',
    check: (m) => {
      expect(m.config.layerTypes).toEqual([
        'sliding_attention',
        'full_attention',
        'sliding_attention',
        'full_attention',
      ]);
      expect(m.config.rope.sliding_attention).toEqual({ theta: 10000, scaling: { kind: 'default' } });
      expect(m.config.rope.full_attention).toEqual({ theta: 1000000, scaling: { kind: 'linear', factor: 8 } });
    },
  },
};

describe.each(Object.entries(CASES))('logit parity with the PyTorch re-implementation: %s', (name, expected) => {
  const dir = fixtureDir(`families/${name}`);

  it('matches the reference logits to 1e-4 at kept positions', async () => {
    const model = await loadPretrained(dir, { as: LlamaForCausalLM });
    expect(model.architecture).toBe(expected.architecture);
    expected.check(model);
    const ref = readHfReference(dir);
    const before = tf.memory().numTensors;
    const logits = logitsOn(model, ref);
    expect(tf.memory().numTensors).toBe(before);
    expect(maxAbsDiffAtTokens(logits, ref.logits, ref.mask, ref.logitsShape[2] as number)).toBeLessThanOrEqual(1e-4);
    ref.dispose();
    model.dispose();
  });

  it('the fixture exercises what its name says (file layout)', () => {
    const files = fs.readdirSync(dir);
    expect(files).toContain(name.includes('sharded') ? 'model.safetensors.index.json' : 'model.safetensors');
  });
});
