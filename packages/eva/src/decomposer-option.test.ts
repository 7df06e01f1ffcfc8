import * as tf from '@tensorflow/tfjs-core';
import { setBackend, type TokenBatch } from '@peftjs/core';
import { loadMobyDick } from '@peftjs/models';
import { IncrementalPCA, type MatrixInput, type MatrixShape, type PartialFitResult } from '@peftjs/streaming-svd';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeEvaState } from './compute-eva-state';
import { tinyGpt2 } from '@peftjs/test-utils/models';
import { computeEvaStateParallel, type ParallelEvaOptions } from './parallel/compute-eva-state-parallel';
import { parityBatches } from '../../../tools/eva/parity-data';

let data: TokenBatch[] = [];
beforeAll(async () => {
  await setBackend('wasm');
  const text = (await loadMobyDick({ split: 'train' }))
    .slice(1, 4)
    .map((c) => c.text)
    .join('\n');
  data = parityBatches(text, { count: 6, batchSize: 4, seqLen: 32, seed: 3 });
});

/** A StreamingDecomposer that delegates to IncrementalPCA and counts its fits: a researcher's own SVD, in miniature. */
class CountingDecomposer {
  static fits = 0;
  private readonly inner: IncrementalPCA;
  constructor(nComponents: number) {
    this.inner = new IncrementalPCA({ nComponents, solver: 'exact' });
  }
  get nComponents() {
    return this.inner.nComponents;
  }
  get effectiveComponents() {
    return this.inner.effectiveComponents;
  }
  get nFeatures() {
    return this.inner.nFeatures;
  }
  get components() {
    return this.inner.components;
  }
  get singularValues() {
    return this.inner.singularValues;
  }
  get explainedVarianceRatio() {
    return this.inner.explainedVarianceRatio;
  }
  get samplesSeen() {
    return this.inner.samplesSeen;
  }
  partialFit(x: MatrixInput, shape?: MatrixShape): PartialFitResult {
    CountingDecomposer.fits++;
    return this.inner.partialFit(x, shape);
  }
  merge(other: CountingDecomposer): CountingDecomposer {
    return Object.assign(new CountingDecomposer(this.nComponents), { inner: this.inner.merge(other.inner) });
  }
  toJSON() {
    return this.inner.toJSON();
  }
}

describe('computeEvaState({ decomposer })', () => {
  it('fits every layer with the given StreamingDecomposer, and the default equals passing IncrementalPCA explicitly', async () => {
    const model = tinyGpt2();
    const config = {
      r: 4,
      rho: 2,
      tau: 0.9,
      targetModules: ['c_attn', 'c_proj', 'c_fc'],
      maxSteps: 20,
      onMaxSteps: 'use-partial' as const,
      solver: 'exact' as const,
    };
    const before = tf.memory().numTensors;
    const byDefault = await computeEvaState(model, data, config);
    const counted = await computeEvaState(model, data, config, {
      decomposer: { create: (k) => new CountingDecomposer(k) },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(CountingDecomposer.fits).toBeGreaterThanOrEqual(counted.layers.length);
    expect(counted.steps).toBe(byDefault.steps);
    expect(counted.layers.map((l) => [l.name, l.rank, l.components])).toEqual(
      byDefault.layers.map((l) => [l.name, l.rank, l.components]),
    );
    for (const [i, layer] of byDefault.layers.entries()) {
      expect(Array.from(counted.layers[i]!.componentsData)).toEqual(Array.from(layer.componentsData));
    }
    model.dispose();
  });

  it('is refused with worker threads, which build their own IncrementalPCA', async () => {
    const model = tinyGpt2();
    const options = {
      workers: 2,
      modelDir: '/nonexistent',
      decomposer: { create: (k: number) => new CountingDecomposer(k) },
    } as ParallelEvaOptions; // as a JavaScript caller could pass it
    await expect(computeEvaStateParallel(model, data, { r: 2 }, options)).rejects.toThrow(/drop options.decomposer/);
    model.dispose();
  });
});
