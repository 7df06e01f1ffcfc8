import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import { CharLm, charData, mobyDickIds, snapshot } from '../test/char-lm';
import { AdamW } from './adamw';
import { evaluate } from './evaluate';
import { accuracyMetric, lossMetric, perplexityMetric } from './metric';
import { cosineScheduleWithWarmup } from './schedule';
import { train } from './train';

describe('LoRA-style fine-tuning on Moby Dick', () => {
  beforeAll(async () => {
    await setBackend('wasm');
  });

  it('lowers held-out loss, changes only the adapters and leaves the frozen base bit-identical', async () => {
    const context = 8;
    const trainIds = mobyDickIds([1, 2]);
    const heldOutIds = mobyDickIds([3]);
    const model = new CharLm(context, 12, 64, { seed: 1 }).addAdapters(4, { seed: 5 });
    const trainable = new Set(model.trainableParameters().map(([n]) => n));
    expect([...trainable].sort()).toEqual([
      'fc.lora_A.weight',
      'fc.lora_B.weight',
      'head.lora_A.weight',
      'head.lora_B.weight',
    ]);
    const before = snapshot(model);
    const heldOut = charData(heldOutIds, context, { batchSize: 128, count: 1024, stride: 5, shuffle: false });
    const metrics = [
      lossMetric(),
      perplexityMetric(),
      accuracyMetric<{ inputs: tf.Tensor2D; labels: tf.Tensor1D }, CharLm>(),
    ];
    const initial = await evaluate({ model, data: heldOut, metrics });
    const tensorsBefore = tf.memory().numTensors;

    const result = await train({
      model,
      data: charData(trainIds, context, { batchSize: 32, count: trainIds.length - context - 1 }),
      maxSteps: 120,
      optimizer: new AdamW({ learningRate: 0.02, weightDecay: 0.01 }),
      schedule: cosineScheduleWithWarmup({ warmupSteps: 10, totalSteps: 120 }),
      maxGradNorm: 1,
      seed: 3,
      evaluation: { data: heldOut, every: 60, metrics },
    });

    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const final = result.evals[result.evals.length - 1]?.metrics as Record<string, number>;
    expect(result.evals.map((e) => e.step)).toEqual([60, 120]);
    // Independent check of the logged metric: evaluate again from scratch.
    const again = await evaluate({ model, data: heldOut, metrics });
    expect(again.loss).toBeCloseTo(final.loss as number, 6);
    expect(final.perplexity).toBeCloseTo(Math.exp(final.loss as number), 6);
    expect(initial.loss).toBeGreaterThan(3.3); // about ln(37) for a random model
    expect(final.loss).toBeLessThan((initial.loss as number) - 0.4);
    expect(final.accuracy).toBeGreaterThan((initial.accuracy as number) + 0.05);

    const after = snapshot(model);
    for (const [name, values] of before) {
      const now = after.get(name) as Float32Array;
      if (trainable.has(name)) expect(now.some((v, i) => v !== values[i])).toBe(true);
      else expect(Buffer.from(now.buffer).equals(Buffer.from(values.buffer))).toBe(true);
    }
    model.dispose();
  });
});
