import * as tf from '@tensorflow/tfjs-core';
import { Matrix, QrDecomposition } from 'ml-matrix';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, setBackend } from '@peftjs/core';
import { expectComponentsClose, expectSubspacesClose } from '@peftjs/test-utils';
import { EXACT_SVD_FLOP_LIMIT, leadingQr, topSvd } from './linalg';

beforeAll(async () => {
  await setBackend('wasm');
});

function orthonormal(rows: number, cols: number, rng: Rng): Matrix {
  const g = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) g.set(i, j, rng.normal());
  return new QrDecomposition(g).orthogonalMatrix;
}

describe('topSvd', () => {
  it('goes randomized for weights above the exact limit and still finds a gapped top-r subspace', () => {
    const [out, inF] = [520, 400];
    expect(out * inF * Math.min(out, inF)).toBeGreaterThan(EXACT_SVD_FLOP_LIMIT);
    const rng = new Rng(1);
    const spectrum = [20, 15, 10, ...Array.from({ length: 17 }, (_, i) => 1 / (i + 1))];
    const u = orthonormal(out, spectrum.length, rng);
    const v = orthonormal(inF, spectrum.length, rng);
    const w = u.mmul(Matrix.diag(spectrum)).mmul(v.transpose());
    const t = tf.tensor2d(Float32Array.from(w.to1DArray()), [out, inF]);
    const before = tf.memory().numTensors;
    const svd = topSvd(t, 3, { rng: new Rng(2) });
    expect(tf.memory().numTensors).toBe(before);
    svd.s.forEach((s, i) => {
      expect(Math.abs(s - spectrum[i]!) / spectrum[i]!).toBeLessThan(1e-4);
    });
    // singular vectors up to sign (rows: vectors), and the top-3 subspaces by principal angles
    const trueU = u
      .subMatrix(0, out - 1, 0, 2)
      .transpose()
      .to2DArray();
    const trueV = v
      .subMatrix(0, inF - 1, 0, 2)
      .transpose()
      .to2DArray();
    expectComponentsClose(svd.u.transpose().to2DArray(), trueU, { minAbsCos: 1 - 1e-4, label: 'U' });
    expectComponentsClose(svd.vt.to2DArray(), trueV, { minAbsCos: 1 - 1e-4, label: 'V' });
    expectSubspacesClose(svd.vt.to2DArray(), trueV, { minCos: 1 - 1e-4, label: 'top-3 right subspace' });
    t.dispose();
  });
});

describe('leadingQr', () => {
  it('gives Q_r with orthonormal columns and R_r = Q_r^T W with a positive diagonal', () => {
    const rng = new Rng(3);
    const w = tf.tensor2d(rng.normalArray(6 * 9), [6, 9]);
    const { q, r } = leadingQr(w, 4);
    const wm = new Matrix(6, 9);
    w.dataSync().forEach((x, i) => {
      wm.set(Math.floor(i / 9), i % 9, x);
    });
    const gram = q.transpose().mmul(q);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) expect(Math.abs(gram.get(i, j) - (i === j ? 1 : 0))).toBeLessThan(1e-9);
    const back = q.transpose().mmul(wm);
    for (let i = 0; i < 4; i++) {
      expect(r.get(i, i)).toBeGreaterThan(0);
      for (let j = 0; j < 9; j++) expect(Math.abs(back.get(i, j) - r.get(i, j))).toBeLessThan(1e-9);
      for (let j = 0; j < i; j++) expect(Math.abs(r.get(i, j))).toBeLessThan(1e-6);
    }
    w.dispose();
  });
});
