import { isPeftjsError, setBackend } from '@peftjs/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { expectComponentsClose, separatedComponents } from '@peftjs/test-utils';
import { readFixture, tensorOf } from '../test/fixtures';
import { IncrementalPCA } from './incremental-pca';
import type { SolverName } from './streaming-decomposer';

// scikit-learn >= 1.6 (PR #30224) checks n_components <= n_samples on the first partial_fit call only.
// The fixture (tools/streaming-svd/make_small_batch_fixture.py) holds scikit-learn's values after every
// batch of the stream [20, 3, 1, 5, 2, 9] rows with k = 6: made with Debian's scikit-learn 1.2.1, whose
// partial_fit runs the same update once its row check is bypassed, and checked in the script against a
// NumPy implementation of the 1.6 update written out by hand.
const fixture = readFixture('ipca-small-batches.safetensors');
const x = Float32Array.from(tensorOf(fixture, 'x'));
const D = Number(fixture.metadata.d);
const K = Number(fixture.metadata.k);
const BATCHES = JSON.parse(fixture.metadata.batches as string) as number[];

beforeAll(async () => {
  await setBackend('wasm');
});

describe.each<SolverName>(['exact', 'randomized'])(
  'IncrementalPCA (%s): later batches smaller than k, as scikit-learn >= 1.6',
  (solver) => {
    it('records which scikit-learn made the fixture', () => {
      expect(fixture.metadata.sklearn).toBe('1.2.1');
      expect(fixture.metadata.semantics).toMatch(/>= 1\.6/);
    });

    it('folds in batches of 3, 1, 5 and 2 rows (k = 6) and matches scikit-learn after every batch', () => {
      const pca = new IncrementalPCA({ nComponents: K, solver });
      let start = 0;
      BATCHES.forEach((rows, step) => {
        const result = pca.partialFit(x.subarray(start * D, (start + rows) * D), { rows, cols: D });
        start += rows;
        expect(result).toMatchObject({ status: 'fitted', rows, samplesSeen: start });
        const at = (name: string, size: number) => tensorOf(fixture, name).subarray(step * size, (step + 1) * size);
        expect(pca.samplesSeen).toBe(at('samples_seen', 1)[0]);
        const mean = at('mean', D);
        const variance = at('var', D);
        for (let j = 0; j < D; j++) {
          expect(Math.abs(pca.mean[j]! - mean[j]!)).toBeLessThan(1e-9 * Math.abs(mean[j]!));
          expect(Math.abs(pca.variance[j]! - variance[j]!)).toBeLessThan(1e-8 * variance[j]!);
        }
        const sv = at('singular_values', K);
        const ratio = at('explained_variance_ratio', K);
        for (let j = 0; j < K; j++) {
          expect(Math.abs(pca.explainedVarianceRatio[j]! - ratio[j]!), `ratio ${j} at step ${step}`).toBeLessThan(
            solver === 'exact' ? 1e-4 : 1e-3,
          );
          expect(Math.abs(pca.singularValues[j]! - sv[j]!) / sv[j]!).toBeLessThan(solver === 'exact' ? 1e-4 : 1e-3);
        }
        const components = at('components', K * D);
        expectComponentsClose(pca.components, components, {
          cols: D,
          minAbsCos: 0.999,
          rows: separatedComponents(sv, 1.02),
          sameSign: true,
          label: `step ${step}`,
        });
      });
    });

    it('with k = d nothing is truncated, so a 1-row second batch gives the exact PCA of all rows (hand check)', () => {
      // 3 x 2 first batch, then one row. All 4 rows: (0,0), (2,0), (0,2), (2,2) -> mean (1,1), covariance
      // diag(1, 1) * (4/4): var = [1, 1], S^2 = var * N = [4, 4], ratios [0.5, 0.5].
      const pca = new IncrementalPCA({ nComponents: 2, solver });
      expect(pca.partialFit(Float32Array.from([0, 0, 2, 0, 0, 2]), { rows: 3, cols: 2 }).status).toBe('fitted');
      expect(pca.partialFit(Float32Array.from([2, 2]), { rows: 1, cols: 2 })).toMatchObject({
        status: 'fitted',
        rows: 1,
        samplesSeen: 4,
      });
      expect(Array.from(pca.mean)).toEqual([1, 1]);
      expect(Array.from(pca.variance)).toEqual([1, 1]);
      for (const s of pca.singularValues) expect(s).toBeCloseTo(2, 5);
      for (const r of pca.explainedVarianceRatio) expect(r).toBeCloseTo(0.5, 5);
    });

    it('a first batch smaller than k is still refused (scikit-learn raises), leaving the state empty', () => {
      const pca = new IncrementalPCA({ nComponents: K, solver });
      expect(pca.partialFit(x.subarray(0, 3 * D), { rows: 3, cols: D })).toEqual({
        status: 'too-few-rows',
        rows: 3,
        needed: K,
      });
      expect(pca.samplesSeen).toBe(0);
    });
  },
);

describe('non-finite rows', () => {
  it('a batch holding NaN or Infinity is a NonFiniteError (E_NON_FINITE) and leaves the state as it was', () => {
    const pca = new IncrementalPCA({ nComponents: 2, solver: 'exact' });
    pca.partialFit(x.subarray(0, 20 * D), { rows: 20, cols: D });
    const before = JSON.stringify(pca.toJSON());
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const rows = Float32Array.from(x.subarray(0, 3 * D));
      rows[D + 5] = bad;
      let error: unknown;
      try {
        pca.partialFit(rows, { rows: 3, cols: D });
      } catch (e) {
        error = e;
      }
      expect(isPeftjsError(error) && error.code).toBe('E_NON_FINITE');
      expect((error as Error).message).toMatch(/1 of 3 rows contain NaN or Infinity \(first: row 1\)/);
      expect(JSON.stringify(pca.toJSON())).toBe(before);
    }
  });
});
