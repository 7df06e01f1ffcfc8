import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { isPeftjsError, NonFiniteError, Rng, setBackend, type FeatureBatch } from '@peftjs/core';
import { MlpClassifier, mlpConfig } from '@peftjs/models';
import { savePretrained } from '@peftjs/models/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeEvaState } from './compute-eva-state';
import { computeEvaStateParallel } from './parallel/compute-eva-state-parallel';

// Issue 15, "NaN and Inf": activations EVA sees that hold NaN or an infinity stop the run with a
// NonFiniteError (E_NON_FINITE) naming the layer and the step; never a NaN component, never a skipped batch.

let dir = '';
beforeAll(async () => {
  await setBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'peftjs-eva-nan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function batches(bad: number, value: number): FeatureBatch[] {
  const rng = new Rng(5);
  return [0, 1, 2].map((i) => {
    const data = rng.normalArray(40 * 16);
    if (i === bad) data[3 * 16 + 7] = value; // row 3, feature 7 of the second batch
    return { inputs: tf.tensor2d(data, [40, 16]) };
  });
}

const config = { r: 2, rho: 2, tau: 0.99, maxSteps: 3, onMaxSteps: 'use-partial' as const };

describe('non-finite activations in EVA', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'an input of %d at step 2 is an error naming layers.0 and step 2',
    async (value) => {
      const model = new MlpClassifier(mlpConfig({ inputSize: 16, hiddenSizes: [12], numLabels: 3 }), { seed: 2 });
      const data = batches(1, value);
      const run = computeEvaState(model, data, config);
      await expect(run).rejects.toThrow(
        /Non-finite activations \(NaN or Inf\) in the inputs of "layers\.0".* at step 2/,
      );
      const error = await run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NonFiniteError);
      expect(isPeftjsError(error) && error.code).toBe('E_NON_FINITE');
      expect((error as NonFiniteError).subject).toBe('layers.0');
      tf.dispose(data.map((b) => b.inputs));
      model.dispose();
    },
  );

  it('the same batches without the bad value give finite components (the check has no false alarm)', async () => {
    const model = new MlpClassifier(mlpConfig({ inputSize: 16, hiddenSizes: [12], numLabels: 3 }), { seed: 2 });
    const data = batches(-1, 0);
    const state = await computeEvaState(model, data, config);
    for (const layer of state.layers) expect(layer.componentsData.every(Number.isFinite)).toBe(true);
    tf.dispose(data.map((b) => b.inputs));
    model.dispose();
  });

  it('with worker threads the error keeps its code and the layer it names', async () => {
    const model = new MlpClassifier(mlpConfig({ inputSize: 16, hiddenSizes: [12], numLabels: 3 }), { seed: 2 });
    await savePretrained(model, dir);
    const data = batches(1, Number.NaN);
    const error = await computeEvaStateParallel(model, data, config, { workers: 2, modelDir: dir }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as NonFiniteError).subject).toBe('layers.0');
    expect((error as Error).message).toMatch(/EVA worker: Non-finite activations .* "layers\.0"/);
    tf.dispose(data.map((b) => b.inputs));
    model.dispose();
  });
});
