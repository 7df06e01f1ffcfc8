import { EigenvalueDecomposition, Matrix, QrDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { Rng } from '@peftjs/core';

import { symmetricEigen } from './symmetric-eigen';

/** A random symmetric [n, n] matrix with the given eigenvalues (Q diag(values) Q^T, Q from a QR of Gaussians). */
function withSpectrum(values: number[], seed: number): Float64Array {
  const n = values.length;
  const rng = new Rng(seed);
  const g = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g.set(i, j, rng.normal());
  const q = new QrDecomposition(g).orthogonalMatrix;
  const a = q.mmul(Matrix.diag(values)).mmul(q.transpose());
  return Float64Array.from(a.to1DArray());
}

describe('symmetricEigen', () => {
  it.each([
    ['distinct', Array.from({ length: 26 }, (_, i) => 10 * 0.8 ** i)],
    ['repeated and zero', [5, 5, 5, 2, 0, 0, -1]],
    ['one by one', [3]],
  ])('matches ml-matrix on a %s spectrum: values to 1e-12, A v = lambda v, orthonormal vectors', (_name, spectrum) => {
    const n = spectrum.length;
    const a = withSpectrum(spectrum, n);
    const { values, vectors } = symmetricEigen(a, n);
    const reference = new EigenvalueDecomposition(
      new Matrix(Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)))),
      { assumeSymmetric: true },
    );
    const expected = [...reference.realEigenvalues].sort((x, y) => y - x);
    for (let j = 0; j < n; j++)
      expect(Math.abs((values[j] as number) - (expected[j] as number))).toBeLessThan(
        1e-12 * Math.max(1, Math.abs(expected[0] as number)),
      );
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let c = 0; c < n; c++) av += (a[i * n + c] as number) * (vectors[c * n + j] as number);
        expect(Math.abs(av - (values[j] as number) * (vectors[i * n + j] as number))).toBeLessThan(1e-12 * 10);
      }
      for (let l = 0; l < n; l++) {
        let dot = 0;
        for (let c = 0; c < n; c++) dot += (vectors[c * n + j] as number) * (vectors[c * n + l] as number);
        expect(Math.abs(dot - (j === l ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
  });

  it('returns the eigenvalues of a diagonal matrix in descending order, and handles n = 0', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([1, 0, 0, 0, 3, 0, 0, 0, 2]), 3);
    expect(Array.from(values)).toEqual([3, 2, 1]);
    expect(Array.from(vectors, Math.abs)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(symmetricEigen(new Float64Array(0), 0).values).toHaveLength(0);
  });
});
