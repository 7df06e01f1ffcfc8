import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import { bundledCheckpoint } from '@peftjs/models/node';
import { parseCompareMethod } from './compare-method';
import { getCompareTask } from './compare-tasks';
import { RL_COMPARE_DEFAULTS, RL_COMPARE_QUICK, runRlFineTuning, type RlCompareSettings } from './rl-compare-task';

beforeAll(async () => {
  await setBackend('wasm');
});

/** One optimizer step, one evaluation episode per held-out task before and after it. */
const TINY: RlCompareSettings = {
  ...RL_COMPARE_DEFAULTS,
  steps: 1,
  batchSize: 8,
  episodesPerTask: 2,
  evalEpisodesPerTask: 1,
  evalEvery: 1,
  r: 2,
  evaMaxSteps: 2,
};

describe('compare --task rl', () => {
  it('is registered, and higher return is better', () => {
    const task = getCompareTask('rl');
    expect(task.metric.higherIsBetter).toBe(true);
    expect(task.settings(true)).toMatchObject({ contextLength: 10, steps: RL_COMPARE_QUICK.steps });
  });

  it.each(['kaiming', 'eva'])(
    'a tiny %s run returns a CompareRun: a return per evaluation, the LoRA budget, no tensors left',
    async (label) => {
      const before = tf.memory().numTensors;
      const run = await runRlFineTuning(
        TINY,
        { method: parseCompareMethod(label), learningRate: 1e-3, seed: 1, quick: true },
        {},
      );
      expect(tf.memory().numTensors).toBe(before);
      expect(run).toMatchObject({ method: label, learningRate: 1e-3, seed: 1 });
      expect(run.curve.map((p) => p.step)).toEqual([0, 1]);
      for (const p of run.curve) {
        expect(Number.isFinite(p.value)).toBe(true);
        expect(p.value).toBeLessThanOrEqual(0); // minus a distance
      }
      // r * (in + out) summed over c_attn, attn.c_proj, c_fc, mlp.c_proj of every block
      const config = JSON.parse(
        await readFile(join(bundledCheckpoint('decision-transformer-point-reach'), 'config.json'), 'utf8'),
      );
      const d = config.hidden_size as number;
      const inner = (config.n_inner as number | null) ?? 4 * d;
      const perRank = config.n_layer * (d + 3 * d + (d + d) + (d + inner) + (inner + d));
      if (label === 'kaiming') {
        expect(run.trainableParameters).toBe(TINY.r * perRank);
        expect(run.evaRanks).toBeUndefined();
      } else {
        const ranks = Object.values(run.evaRanks ?? {});
        expect(ranks).toHaveLength(4 * config.n_layer);
        expect(ranks.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(TINY.r * ranks.length);
        expect(run.trainableParameters).toBeGreaterThan(0);
      }
    },
  );
});
