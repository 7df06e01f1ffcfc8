import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, Rng, setBackend } from '@peftjs/core';
import { DecisionTransformerModel, decisionTransformerConfig, type DecisionTransformerBatch } from '@peftjs/models';
import { HELD_OUT_TASKS, POINT_REACH_ACT_DIM, POINT_REACH_HORIZON, POINT_REACH_STATE_DIM } from './point-reach';
import { rolloutDecisionTransformer } from './rollout';
import { offlineTrajectories } from './scripted-policies';
import { trajectoryWindows } from './trajectory-batches';

beforeAll(async () => {
  await setBackend('wasm');
});

const tiny = (): DecisionTransformerModel =>
  new DecisionTransformerModel(
    decisionTransformerConfig({
      stateDim: POINT_REACH_STATE_DIM,
      actDim: POINT_REACH_ACT_DIM,
      hiddenSize: 8,
      maxEpLen: POINT_REACH_HORIZON,
      nPositions: 1,
      nLayer: 1,
      nHead: 2,
      initializerRange: 0.5,
    }),
    { seed: 3 },
  );

describe('trajectory windows', () => {
  it('cuts every trajectory into K-step windows with their timesteps, as Decision Transformer batches', async () => {
    const data = offlineTrajectories(HELD_OUT_TASKS, 1, 'windows');
    const source = trajectoryWindows(data, { contextLength: 4, batchSize: 5, shuffle: false });
    expect(source.batchesPerEpoch).toBe(Math.floor((3 * (POINT_REACH_HORIZON - 3)) / 5));
    const [first] = [...(source.batches(0, 0, new Rng(0)) as Iterable<DecisionTransformerBatch>)];
    if (first === undefined) throw new Error('no batch');
    expect(first.states.shape).toEqual([5, 4, POINT_REACH_STATE_DIM]);
    expect(first.inputIds.shape).toEqual([5, 12]);
    // window 1 of trajectory 0 starts at timestep 1
    expect((first.timesteps.arraySync() as number[][])[1]).toEqual([1, 2, 3, 4]);
    expect((first.states.arraySync() as number[][][])[1]![0]).toEqual(
      Array.from(data[0]!.states.subarray(POINT_REACH_STATE_DIM, 2 * POINT_REACH_STATE_DIM)),
    );
    disposeBatch(first);
    expect(() => trajectoryWindows(data, { contextLength: 31, batchSize: 2 })).toThrow(
      'contextLength must be an integer in [1, 30], got 31',
    );
  });
});

describe('rolloutDecisionTransformer', () => {
  it('plays every episode to the end, deterministically, leaving no tensors and the model mode as it was', () => {
    const model = tiny();
    model.train();
    const options = { contextLength: 4, targetReturn: 0, seed: 'rollout-test' };
    const before = tf.memory().numTensors;
    const a = rolloutDecisionTransformer(model, HELD_OUT_TASKS, 2, options);
    expect(tf.memory().numTensors).toBe(before);
    expect(model.training).toBe(true);
    const b = rolloutDecisionTransformer(model, HELD_OUT_TASKS, 2, options);
    expect(b).toEqual(a);
    expect(a.episodes).toBe(6);
    expect(a.meanReturn).toBeLessThanOrEqual(0);
    expect(a.successRate).toBeGreaterThanOrEqual(0);
    // other episodes, other score
    expect(rolloutDecisionTransformer(model, HELD_OUT_TASKS, 2, { ...options, seed: 'other' })).not.toEqual(a);
    model.dispose();
  });
});
