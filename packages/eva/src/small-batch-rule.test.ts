import * as tf from '@tensorflow/tfjs-core';
import { Rng, setBackend, type FeatureBatch } from '@peftjs/core';
import { MlpClassifier, mlpConfig } from '@peftjs/models';
import { IncrementalPCA } from '@peftjs/streaming-svd';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeEvaState } from './compute-eva-state';

// EVA-SPEC step 3: a batch with fewer kept rows than k is skipped for that layer. That rule is EVA's
// own; @peftjs/streaming-svd follows scikit-learn >= 1.6 and folds such a batch in after the first fit.

beforeAll(async () => {
  await setBackend('wasm');
});

describe('EVA skips batches with fewer rows than k, although the PCA would take them', () => {
  it('a 2-row batch between two 40-row batches (k = 4) leaves every layer as the two 40-row batches alone', async () => {
    const model = new MlpClassifier(mlpConfig({ inputSize: 16, hiddenSizes: [12], numLabels: 3 }), { seed: 2 });
    const rng = new Rng(11);
    const big = [0, 1].map(() => ({ inputs: tf.tensor2d(rng.normalArray(40 * 16), [40, 16]) }));
    const small: FeatureBatch = { inputs: tf.tensor2d(rng.normalArray(2 * 16), [2, 16]) };
    const config = { r: 2, rho: 2, tau: 0.999999, targetModules: ['layers.0'], onMaxSteps: 'use-partial' as const };
    const rows: number[] = [];
    const withSmall = await computeEvaState(
      model,
      [big[0]!, small, big[1]!],
      { ...config, maxSteps: 3 },
      {
        onProgress: (p) => rows.push(p.rowsPerLayer['layers.0'] ?? -1),
      },
    );
    const without = await computeEvaState(model, big, { ...config, maxSteps: 2 });
    expect(rows).toEqual([40, 2, 40]); // the layer did see the small batch ...
    const a = withSmall.layers[0]!;
    const b = without.layers[0]!;
    expect(Array.from(a.componentsData)).toEqual(Array.from(b.componentsData)); // ... and skipped it
    expect(Array.from(a.singularValues)).toEqual(Array.from(b.singularValues));
    // whereas the PCA on its own folds the 2-row batch in (scikit-learn >= 1.6)
    const pca = new IncrementalPCA({ nComponents: 4, solver: 'exact' });
    pca.partialFit(big[0]!.inputs);
    expect(pca.partialFit(small.inputs).status).toBe('fitted');
    tf.dispose([...big.map((b) => b.inputs), small.inputs]);
    model.dispose();
  });
});
