import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import { CausalLanguageModel } from './causal-lm';
import { fixtureDir, logitsOn, maxAbsDiffAtTokens, readHfReference } from './fixtures.test-support';
import { loadPretrained } from './pretrained';

beforeAll(async () => {
  await setBackend('wasm');
});

// Checkpoints and logits made by Hugging Face transformers 5.18 itself (test/fixtures/hf/README.md):
// row 0 unpadded, row 1 right-padded, row 2 left-padded. HF's forward without position_ids uses
// positions 0..T-1 for every row, so the same are passed here; logits compared at kept tokens.
describe.each(['gpt2', 'llama3', 'qwen2', 'qwen3', 'mistral', 'gemma3'])(
  'logit parity with transformers 5.18: %s',
  (name) => {
    it('matches the reference logits to 1e-4 at kept positions and leaks no tensors', async () => {
      const model = await loadPretrained(fixtureDir(`hf/${name}`), { as: CausalLanguageModel });
      const ref = readHfReference(fixtureDir(`hf/${name}`));
      const before = tf.memory().numTensors;
      const logits = logitsOn(model, ref);
      expect(tf.memory().numTensors).toBe(before);
      expect(logits.length).toBe(ref.logits.length);
      expect(maxAbsDiffAtTokens(logits, ref.logits, ref.mask, ref.logitsShape[2] as number)).toBeLessThanOrEqual(1e-4);
      ref.dispose();
      model.dispose();
    });
  },
);
