import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import { CausalLanguageModel } from './causal-lm';
import { fixtureDir, maxAbsDiffAtTokens, readReference } from './fixtures.test-support';
import { positionIds } from './attention';
import { loadPretrained } from './pretrained';

// Reference logits come from a PyTorch re-implementation of Hugging Face's GPT-2 / Llama forward
// (tools/models/make_parity_fixtures.py) on a batch with one unpadded, one right-padded and one
// left-padded row; logits are compared at real tokens.
// Run on wasm (plain tfjs ops) and on native (C++ kernels and the fused Peft* kernels).
describe.each(['wasm', 'native'] as const)('on %s', (backend) => {
  beforeAll(async () => {
    await setBackend(backend);
  });

  describe.each(['gpt2-tiny', 'llama-tiny', 'llama-tiny-tied-rope3'])(
    'logit parity with the PyTorch reference: %s',
    (name) => {
      it('matches logits at real tokens to 1e-4 and the shifted LM loss', async () => {
        const model = await loadPretrained(fixtureDir(name));
        if (!(model instanceof CausalLanguageModel)) throw new Error(`${name} did not load as a causal LM`);
        const ref = readReference(name);
        const before = tf.memory().numTensors;
        const batch = { inputIds: ref.inputIds, attentionMask: ref.attentionMask };
        const logits = model.call(batch);
        const loss = model.loss(batch);
        expect(logits.shape).toEqual(ref.logitsShape);
        const ours = logits.dataSync() as Float32Array;
        const mask = ref.attentionMask.dataSync();
        expect(maxAbsDiffAtTokens(ours, ref.logits, mask, ref.logitsShape[2] as number)).toBeLessThanOrEqual(1e-4);
        expect(ours.every(Number.isFinite)).toBe(true); // pad positions too
        expect(loss.dataSync()[0]).toBeCloseTo(ref.loss, 4);
        tf.dispose([logits, loss]);
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
        tf.dispose([ref.inputIds, ref.attentionMask]);
      });

      it('derives the same position ids from the mask as the reference (HF generate convention)', () => {
        const ref = readReference(name);
        const [b, t] = ref.inputIds.shape;
        const pos = positionIds(b, t, ref.attentionMask);
        expect(Array.from(pos.dataSync())).toEqual(Array.from(ref.positionIds));
        tf.dispose([pos, ref.inputIds, ref.attentionMask]);
      });
    },
  );
});
