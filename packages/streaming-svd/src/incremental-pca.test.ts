import * as tf from '@tensorflow/tfjs-core';
import { Rng, setBackend } from '@peftjs/core';
import { Matrix, SVD } from 'ml-matrix';
import { beforeAll, describe, expect, it } from 'vitest';

import { expectComponentsClose } from '@peftjs/test-utils';
import { IncrementalPCA } from './incremental-pca';

beforeAll(async () => {
  await setBackend('wasm');
});

function gaussianRows(rows: number, cols: number, seed: string, offset = 0): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[i * cols + j] = offset + rng.normal() * (0.2 + 8 * 0.5 ** j);
  return out;
}

describe('IncrementalPCA input checks', () => {
  it('rejects a width change after the first fit, naming both widths', () => {
    const pca = new IncrementalPCA({ nComponents: 2 });
    pca.partialFit(gaussianRows(10, 6, 'a'), { rows: 10, cols: 6 });
    expect(() => pca.partialFit(gaussianRows(10, 7, 'b'), { rows: 10, cols: 7 })).toThrow(
      /7 columns but the state was fitted on 6/,
    );
  });

  it('rejects NaN/Infinity rows and says how many', () => {
    const x = gaussianRows(10, 4, 'nan');
    x[1 * 4 + 2] = Number.NaN;
    x[5 * 4 + 0] = Number.POSITIVE_INFINITY;
    x[5 * 4 + 1] = Number.NaN;
    const pca = new IncrementalPCA({ nComponents: 2 });
    expect(() => pca.partialFit(x, { rows: 10, cols: 4 })).toThrow(
      /2 of 10 rows contain NaN or Infinity \(first: row 1\)/,
    );
    expect(pca.samplesSeen).toBe(0);
  });

  it('needs the shape of a Float32Array and checks its length', () => {
    const pca = new IncrementalPCA({ nComponents: 2 });
    expect(() => pca.partialFit(new Float32Array(12))).toThrow(/needs its shape/);
    expect(() => pca.partialFit(new Float32Array(12), { rows: 5, cols: 3 })).toThrow(
      /has 12 values but shape \{ rows: 5, cols: 3 \} needs 15/,
    );
  });

  it('returns too-few-rows instead of throwing when the first batch has n < k', () => {
    const pca = new IncrementalPCA({ nComponents: 5 });
    expect(pca.partialFit(gaussianRows(3, 8, 'few'), { rows: 3, cols: 8 })).toEqual({
      status: 'too-few-rows',
      rows: 3,
      needed: 5,
    });
    expect(pca.samplesSeen).toBe(0);
  });

  it('clamps k > d to d and reports it', () => {
    const pca = new IncrementalPCA({ nComponents: 10 });
    const result = pca.partialFit(gaussianRows(20, 4, 'clamp'), { rows: 20, cols: 4 });
    expect(result).toMatchObject({ status: 'fitted', effectiveComponents: 4, clamped: true });
    expect(result.status === 'fitted' && result.warning).toMatch(/nComponents = 10 is larger than the row width d = 4/);
    expect(pca.effectiveComponents).toBe(4);
    expect(pca.clamped).toBe(true);
    expect(pca.components.length).toBe(16);
    expect(pca.noiseVariance).toBe(0);
  });

  it('validates options by field name', () => {
    expect(() => new IncrementalPCA({ nComponents: 0 })).toThrow(/nComponents must be an integer >= 1/);
    expect(() => new IncrementalPCA({ nComponents: 2, solver: 'lanczos' as 'exact' })).toThrow(
      /solver must be one of auto, exact, randomized/,
    );
    expect(() => new IncrementalPCA({ nComponents: 2, oversampling: -1 })).toThrow(/oversampling/);
    expect(() => new IncrementalPCA({ nComponents: 2, powerIterations: 1.5 })).toThrow(/powerIterations/);
    expect(() => new IncrementalPCA({ nComponents: 2, warmStartTolerance: -1 })).toThrow(
      'IncrementalPCA: warmStartTolerance must be a number >= 0, got -1',
    );
  });

  it('rejects JSON that is not an IncrementalPCA state', () => {
    expect(() => IncrementalPCA.fromJSON({ format: 'other' } as never)).toThrow(/format "peftjs\/incremental-pca"/);
    const json = new IncrementalPCA({ nComponents: 2 });
    json.partialFit(gaussianRows(10, 4, 'j'), { rows: 10, cols: 4 });
    const broken = JSON.parse(JSON.stringify(json.toJSON()));
    broken.state.mean = [1, 2];
    expect(() => IncrementalPCA.fromJSON(broken)).toThrow(/state\.mean must be an array of 4 numbers/);
  });
});

describe('IncrementalPCA behaviour', () => {
  it('gives the same result for a tensor and for the same Float32Array', () => {
    const x = gaussianRows(30, 8, 'same', 10);
    const a = new IncrementalPCA({ nComponents: 3 });
    const b = new IncrementalPCA({ nComponents: 3 });
    a.partialFit(x, { rows: 30, cols: 8 });
    const t = tf.tensor2d(x, [30, 8]);
    b.partialFit(t);
    t.dispose();
    expect(b.toJSON()).toEqual(a.toJSON());
  });

  it('randomized runs with the same seed are identical; another seed still agrees to 0.999', () => {
    const runs = ['s1', 's1', 's2'].map((seed) => {
      const pca = new IncrementalPCA({ nComponents: 4, solver: 'randomized', seed, oversampling: 4 });
      for (let b = 0; b < 3; b++) pca.partialFit(gaussianRows(40, 32, `det/${b}`, 5), { rows: 40, cols: 32 });
      return pca;
    });
    const [a, b, c] = runs as [IncrementalPCA, IncrementalPCA, IncrementalPCA];
    expect(b.toJSON().state).toEqual(a.toJSON().state);
    expectComponentsClose(c.components, a.components, { cols: 32, minAbsCos: 0.999, sameSign: true });
  });

  it('merging full-rank states (k = d) reproduces the exact PCA of the union', () => {
    const d = 6;
    const x = gaussianRows(60, d, 'full', 3);
    const a = new IncrementalPCA({ nComponents: d });
    const b = new IncrementalPCA({ nComponents: d });
    a.partialFit(x.subarray(0, 25 * d), { rows: 25, cols: d });
    b.partialFit(x.subarray(25 * d), { rows: 35, cols: d });
    const merged = a.merge(b);
    const mean = new Float64Array(d);
    for (let i = 0; i < 60; i++) for (let j = 0; j < d; j++) mean[j] = mean[j]! + x[i * d + j]! / 60;
    const centred = Matrix.from1DArray(
      60,
      d,
      Array.from({ length: 60 * d }, (_, t) => x[t]! - mean[t % d]!),
    );
    const svd = new SVD(centred, { computeLeftSingularVectors: false });
    const s = svd.diagonal;
    const total = s.reduce((acc, v) => acc + v * v, 0);
    for (let j = 0; j < d; j++) {
      expect(Math.abs(merged.mean[j]! - mean[j]!)).toBeLessThan(1e-12 * 10);
      expect(Math.abs(merged.singularValues[j]! - s[j]!) / s[j]!).toBeLessThan(1e-5);
      expect(Math.abs(merged.explainedVarianceRatio[j]! - s[j]! ** 2 / total)).toBeLessThan(1e-6);
    }
    const v = svd.rightSingularVectors.transpose().to2DArray(); // rows: right-singular vectors
    expectComponentsClose(merged.components, v, { cols: d, minAbsCos: 0.99999 });
  });

  it('merging with an empty state returns a copy of the fitted one', () => {
    const a = new IncrementalPCA({ nComponents: 2 });
    a.partialFit(gaussianRows(10, 4, 'e'), { rows: 10, cols: 4 });
    const empty = new IncrementalPCA({ nComponents: 2 });
    expect(a.merge(empty).toJSON().state).toEqual(a.toJSON().state);
    expect(empty.merge(a).toJSON().state).toEqual(a.toJSON().state);
  });

  it('componentsTensor returns the components as a [k, d] tensor the caller owns', () => {
    const pca = new IncrementalPCA({ nComponents: 2 });
    expect(() => pca.componentsTensor()).toThrow(/nothing fitted yet/);
    pca.partialFit(gaussianRows(10, 4, 't'), { rows: 10, cols: 4 });
    const t = pca.componentsTensor();
    expect(t.shape).toEqual([2, 4]);
    expect(Array.from(t.dataSync())).toEqual(Array.from(pca.components));
    t.dispose();
  });

  it('handles rank-deficient batches (duplicated rows) with zero singular values and orthonormal rows', () => {
    const row = gaussianRows(1, 5, 'dup');
    const x = new Float32Array(6 * 5);
    for (let i = 0; i < 6; i++) x.set(i % 2 === 0 ? row : row.map((v) => v + 1), i * 5);
    for (const solver of ['exact', 'randomized'] as const) {
      const pca = new IncrementalPCA({ nComponents: 3, solver });
      pca.partialFit(x, { rows: 6, cols: 5 });
      const s = pca.singularValues;
      expect(s[0]!).toBeGreaterThan(1);
      expect(s[1]!).toBeLessThan(1e-3);
      const c = pca.components; // [3, 5]
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) {
          let dot = 0;
          for (let col = 0; col < 5; col++) dot += c[i * 5 + col]! * c[j * 5 + col]!;
          expect(dot).toBeCloseTo(i === j ? 1 : 0, 4);
        }
    }
  });
});
