import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import { parseCompareMethod } from './compare-method';
import type { CompareRun } from './compare-run';
import { getCompareTask } from './compare-tasks';
import { createSpamCompareTask, SPAM_TASK_QUICK, spamCompareTask } from './spam-compare-task';

// Two optimizer steps on 32-byte inputs, 40 held-out messages evaluated after every step.
const TINY = {
  ...SPAM_TASK_QUICK,
  steps: 2,
  maxBytes: 32,
  heldOutSize: 40,
  evalEvery: 1,
  evalBatchSize: 20,
  evaMaxSteps: 3,
};
const task = createSpamCompareTask(TINY, TINY);

describe('the spam compare task', () => {
  const runs = new Map<string, CompareRun>();
  const run = (label: string) => runs.get(label) as CompareRun;
  let leaked = Number.NaN;

  beforeAll(async () => {
    await setBackend('wasm');
    const before = tf.memory().numTensors;
    for (const label of ['kaiming', 'eva']) {
      runs.set(
        label,
        await task.run({ method: parseCompareMethod(label), learningRate: 2e-3, seed: 7, quick: true }, {}),
      );
    }
    leaked = tf.memory().numTensors - before;
  }, 240_000);

  it('is registered as --task spam with accuracy and the spam F1 as its metrics', () => {
    expect(getCompareTask('spam')).toBe(spamCompareTask);
    expect(spamCompareTask.metric).toMatchObject({ name: 'held-out accuracy', higherIsBetter: true });
    expect(spamCompareTask.secondaryMetrics?.map((m) => m.name)).toEqual(['spam F1']);
    expect(spamCompareTask.settings(false)).toMatchObject({ learningRate: undefined, maxBytes: 64 });
  });

  it('returns a run with accuracy and F1 at every evaluation, leaking no tensor', () => {
    expect(leaked).toBe(0);
    expect([...runs.keys()]).toEqual(['kaiming', 'eva']);
    for (const [label, r] of runs) {
      expect(r).toMatchObject({ method: label, learningRate: 2e-3, seed: 7 });
      expect(r.curve.map((p) => p.step)).toEqual([0, 1, 2]);
      // 40 held-out messages: accuracy is a whole number of them
      for (const p of r.curve) expect(Math.abs(p.value * 40 - Math.round(p.value * 40))).toBeLessThan(1e-9);
      const f1 = r.secondaryCurves?.['spam F1'] ?? [];
      expect(f1.map((p) => p.step)).toEqual([0, 1, 2]);
      for (const p of [...r.curve, ...f1]) expect(p.value >= 0 && p.value <= 1).toBe(true);
      expect(r.initSeconds).toBeGreaterThanOrEqual(0);
      expect(r.trainSeconds).toBeGreaterThan(0);
    }
  });

  it('starts every method from the same classifier: adapters add nothing at step 0, the head comes from the seed', () => {
    const kaiming = run('kaiming');
    const eva = run('eva');
    expect(eva.curve[0]?.value).toBe(kaiming.curve[0]?.value);
    expect(eva.secondaryCurves?.['spam F1']?.[0]?.value).toBe(kaiming.secondaryCurves?.['spam F1']?.[0]?.value);
  });

  it('trains LoRA r = 8 on c_attn/c_proj/c_fc of 4 blocks plus the whole head (hand count); EVA keeps the rank budget', () => {
    // per block: c_attn 8 * (128 + 384), attn.c_proj 8 * (128 + 128), c_fc 8 * (128 + 512), mlp.c_proj 8 * (512 + 128)
    const perBlock = 8 * (128 + 384) + 8 * (128 + 128) + 8 * (128 + 512) + 8 * (512 + 128);
    expect(run('kaiming').trainableParameters).toBe(4 * perBlock + 2 * 128);
    const ranks = Object.values(run('eva').evaRanks ?? {});
    expect(ranks.reduce((a, b) => a + b, 0)).toBe(8 * 16);
    expect(run('kaiming').evaRanks).toBeUndefined();
  });
});
