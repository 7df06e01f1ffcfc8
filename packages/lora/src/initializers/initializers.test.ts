import * as tf from '@tensorflow/tfjs-core';
import { Matrix, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear, Module, Rng, setBackend } from '@peftjs/core';
import { expectComponentsClose, expectSubspacesClose } from '@peftjs/test-utils';
import { injectAdapters } from '../inject-adapters';
import type { LoraConfigInput } from '../lora-config';
import type { LoraHandle } from '../lora-handle';
import { getInitializer, listInitializers, registerInitializer, unregisterInitializer } from '../initializer-registry';
import type { LoraInitializer } from '../lora-initializer';
import { maxAbsDiff } from '../testing/helpers';

beforeAll(async () => {
  await setBackend('wasm');
});

class OneLayer extends Module {
  constructor(inF: number, out: number, weight?: Float32Array) {
    super();
    const layer = new Linear(inF, out, { rng: new Rng(11) });
    if (weight !== undefined) {
      const t = tf.tensor2d(weight, [out, inF]);
      layer.weight.assign(t);
      t.dispose();
    }
    this.registerModule('proj', layer);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.child('proj').call(x);
  }
}

function matrixOf(t: tf.Tensor): Matrix {
  const [rows, cols] = t.shape as [number, number];
  return new Matrix(rows, cols).apply(function (this: Matrix, i: number, j: number) {
    this.set(i, j, t.dataSync()[i * cols + j] as number);
  });
}

/** ml-matrix's abs() works in place, so copy first. */
function maxAbs(a: Matrix): number {
  return Math.max(...a.to1DArray().map(Math.abs));
}

function maxDiff(a: Matrix, b: Matrix): number {
  return Math.max(...a.clone().sub(b).abs().to1DArray());
}

/** A, B (float64), s, the residual weight and the original one, for layer `proj`. */
function inspect(handle: LoraHandle): { a: Matrix; b: Matrix; s: number; residual: Matrix; original: Matrix | null } {
  const layer = handle.layers.get('proj')!;
  const adapter = layer.adapter('default');
  const change = handle.baseWeightChanges().get('proj');
  return {
    a: matrixOf(adapter.loraA.value),
    b: matrixOf(adapter.loraB.value),
    s: adapter.scaling,
    residual: matrixOf(layer.baseLayer.weight.value),
    original: change ? matrixOf(change.originalWeight) : null,
  };
}

/** A [out, in] matrix with singular values `spectrum` (well separated, so top-r subspaces are unique). */
function withSpectrum(out: number, inF: number, spectrum: number[], seed: number): Float32Array {
  const rng = new Rng(seed);
  const u = new QrDecomposition(
    new Matrix(out, spectrum.length).apply(function (this: Matrix, i: number, j: number) {
      this.set(i, j, rng.normal());
    }),
  ).orthogonalMatrix;
  const v = new QrDecomposition(
    new Matrix(inF, spectrum.length).apply(function (this: Matrix, i: number, j: number) {
      this.set(i, j, rng.normal());
    }),
  ).orthogonalMatrix;
  return Float32Array.from(u.mmul(Matrix.diag(spectrum)).mmul(v.transpose()).to1DArray());
}

function run(model: Module, config: LoraConfigInput): LoraHandle {
  return injectAdapters(model, { targetModules: ['proj'], ...config });
}

describe('weight-based initialisers', () => {
  it.each([
    [10, 7],
    [7, 10],
  ])(
    'PiSSA on a [%i, %i] weight: s B A is the top-r SVD part, A A^T = B^T B = S_r / s, W_res + s B A = W',
    (out, inF) => {
      const model = new OneLayer(inF, out);
      const w = matrixOf(model.child<Linear>('proj').weight.value);
      const handle = run(model, { r: 3, alpha: 6, init: 'pissa' });
      const { a, b, s, residual, original } = inspect(handle);
      expect(s).toBe(2);
      expect(maxDiff(original!, w)).toBe(0);
      expect(maxDiff(residual.clone().add(b.mmul(a).mul(s)), w)).toBeLessThan(1e-5);
      const ref = new SingularValueDecomposition(w, { autoTranspose: true });
      const top = ref.leftSingularVectors
        .subMatrix(0, out - 1, 0, 2)
        .mmul(Matrix.diag(ref.diagonal.slice(0, 3)))
        .mmul(ref.rightSingularVectors.subMatrix(0, inF - 1, 0, 2).transpose());
      expect(maxDiff(b.mmul(a).mul(s), top)).toBeLessThan(1e-5);
      const scaled = Matrix.diag(ref.diagonal.slice(0, 3).map((x) => x / s));
      expect(maxDiff(a.mmul(a.transpose()), scaled)).toBeLessThan(1e-5);
      expect(maxDiff(b.transpose().mmul(b), scaled)).toBeLessThan(1e-5);
      const before = tf.memory().numTensors;
      handle.remove();
      expect(maxDiff(matrixOf(model.child<Linear>('proj').weight.value), w)).toBe(0);
      expect(tf.memory().numTensors).toBeLessThan(before);
    },
  );

  it('PiSSA with { niter } (randomized, as pissa_niter_k) recovers the top-r subspace of a weight with a clear spectral gap', () => {
    const spectrum = [9, 7, 5, 0.4, 0.3, 0.2, 0.1];
    const model = new OneLayer(20, 24, withSpectrum(24, 20, spectrum, 5));
    const w = matrixOf(model.child<Linear>('proj').weight.value);
    const handle = run(model, { r: 3, alpha: 3, init: { name: 'pissa', options: { niter: 4 } } });
    const { a, b, s, residual } = inspect(handle);
    expect(maxDiff(residual.clone().add(b.mmul(a).mul(s)), w)).toBeLessThan(1e-5);
    const ref = new SingularValueDecomposition(w, { autoTranspose: true });
    const top = ref.leftSingularVectors
      .subMatrix(0, 23, 0, 2)
      .mmul(Matrix.diag(ref.diagonal.slice(0, 3)))
      .mmul(ref.rightSingularVectors.subMatrix(0, 19, 0, 2).transpose());
    expect(maxDiff(b.mmul(a).mul(s), top)).toBeLessThan(1e-4);
    // A's rows span the top-3 right-singular subspace, B's columns the top-3 left one.
    const topV = ref.rightSingularVectors.subMatrix(0, 19, 0, 2).transpose().to2DArray();
    const topU = ref.leftSingularVectors.subMatrix(0, 23, 0, 2).transpose().to2DArray();
    expectSubspacesClose(a.to2DArray(), topV, { minCos: 1 - 1e-5, label: 'rows of A' });
    expectSubspacesClose(b.transpose().to2DArray(), topU, { minCos: 1 - 1e-5, label: 'columns of B' });
    handle.remove();
  });

  it.each([
    [10, 7],
    [7, 10],
  ])('OLoRA on a [%i, %i] weight: B = Q_r (orthonormal), A = R_r, W_res + s B A = W', (out, inF) => {
    const model = new OneLayer(inF, out);
    const w = matrixOf(model.child<Linear>('proj').weight.value);
    const handle = run(model, { r: 3, alpha: 3, init: 'olora' });
    const { a, b, s, residual } = inspect(handle);
    expect(maxDiff(residual.clone().add(b.mmul(a).mul(s)), w)).toBeLessThan(1e-5);
    expect(maxDiff(b.transpose().mmul(b), Matrix.eye(3))).toBeLessThan(1e-5);
    // reference: Householder QR of W's first r columns (ml-matrix); compare up to column signs
    const qr = new QrDecomposition(w.subMatrix(0, out - 1, 0, 2));
    const q = qr.orthogonalMatrix;
    expectComponentsClose(b.transpose().to2DArray(), q.transpose().to2DArray(), {
      minAbsCos: 1 - 1e-5,
      label: 'columns of B vs Q',
    });
    for (let j = 0; j < 3; j++) {
      expect(a.get(j, j)).toBeGreaterThan(0);
      for (let i = j + 1; i < 3; i++) expect(Math.abs(a.get(i, j))).toBeLessThan(1e-5);
    }
    handle.remove();
  });
});

describe('random initialisers', () => {
  it('kaiming: A ~ U(-1/sqrt(in), 1/sqrt(in)), B = 0, reproducible from the seed', () => {
    const draw = (seed: number): Float32Array => {
      const model = new OneLayer(64, 16);
      const handle = run(model, { r: 4, init: 'kaiming', seed });
      const { a, b } = inspect(handle);
      expect(maxAbs(b)).toBe(0);
      handle.remove();
      return Float32Array.from(a.to1DArray());
    };
    const a1 = draw(1);
    expect(Math.max(...a1.map(Math.abs))).toBeLessThanOrEqual(1 / 8);
    expect(Math.max(...a1.map(Math.abs))).toBeGreaterThan(0.11);
    expect(maxAbsDiff(draw(1), a1)).toBe(0);
    expect(maxAbsDiff(draw(2), a1)).toBeGreaterThan(0);
  });

  it('gaussian: A ~ N(0, (1/r)^2) as PEFT, B = 0', () => {
    const model = new OneLayer(256, 8);
    const handle = run(model, { r: 4, init: 'gaussian' });
    const { a, b } = inspect(handle);
    const values = a.to1DArray();
    const mean = values.reduce((p, v) => p + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((p, v) => p + (v - mean) ** 2, 0) / values.length);
    expect(std).toBeGreaterThan(0.25 * 0.9);
    expect(std).toBeLessThan(0.25 * 1.1);
    expect(maxAbs(b)).toBe(0);
    handle.remove();
  });

  it('orthogonal: A and B are non-zero but B A = 0; odd ranks are rejected', () => {
    const model = new OneLayer(12, 9);
    const handle = run(model, { r: 4, init: 'orthogonal' });
    const { a, b } = inspect(handle);
    expect(maxAbs(a)).toBeGreaterThan(0.01);
    expect(maxAbs(b)).toBeGreaterThan(0.01);
    expect(maxAbs(b.mmul(a))).toBeLessThan(1e-6);
    handle.remove();
    expect(() => run(model, { r: 3, init: 'orthogonal' })).toThrow(
      'Layer "proj": the "orthogonal" initialiser needs an even rank, got r = 3',
    );
  });
});

describe('eva initialiser', () => {
  it('A = the first r component rows (Float32Array or number[][]), B = 0; keys with base_layer match', () => {
    const rows = [
      [1, 0, 0, 0],
      [0, 0.6, 0.8, 0],
      [0, 0, 0, 1],
    ];
    for (const components of [{ proj: rows }, { 'proj.base_layer': Float32Array.from(rows.flat()) }]) {
      const model = new OneLayer(4, 3);
      const handle = run(model, { r: 2, init: { name: 'eva', options: { components } } });
      const { a, b } = inspect(handle);
      expect(maxDiff(a, new Matrix(rows.slice(0, 2)))).toBeLessThan(1e-7);
      expect(maxAbs(b)).toBe(0);
      handle.remove();
    }
  });

  it('errors name the layer and the shapes', () => {
    const model = new OneLayer(4, 3);
    const eva = (components: Record<string, unknown>): LoraConfigInput => ({
      r: 2,
      init: { name: 'eva', options: { components } },
    });
    expect(() => run(model, eva({ other: [[1, 0, 0, 0]] }))).toThrow(
      'EVA init: no components for layer "proj" (have: other)',
    );
    expect(() => run(model, eva({ proj: [[1, 0, 0, 0]] }))).toThrow(
      'EVA init: layer "proj" has 1 component rows of length 4 but its rank is 2',
    );
    expect(() =>
      run(
        model,
        eva({
          proj: [
            [1, 0, 0],
            [0, 1, 0],
          ],
        }),
      ),
    ).toThrow('EVA init: component row 0 of layer "proj" has length 3, expected 4 numbers');
    expect(() => run(model, eva({ proj: new Float32Array(6) }))).toThrow(
      'have 6 values, not a whole number of rows of length 4',
    );
    expect(() => run(model, { init: { name: 'eva', options: {} } })).toThrow(
      /init\.options\.components must be an object/,
    );
  });
});

describe('initialiser registry', () => {
  it('accepts user initialisers, protects built-ins, lists names in errors', () => {
    const constant: LoraInitializer = {
      mutatesBaseWeight: false,
      peftInitValue: () => false,
      fromPeftInitValue: () => null,
      validateOptions: () => undefined,
      initialize: ({ r, inFeatures, outFeatures }) => ({
        a: tf.fill([r, inFeatures], 0.5) as tf.Tensor2D,
        b: tf.zeros([outFeatures, r]) as tf.Tensor2D,
      }),
    };
    registerInitializer('constant', constant);
    try {
      expect(listInitializers()).toContain('constant');
      const model = new OneLayer(4, 3);
      const handle = run(model, { r: 1, init: 'constant' });
      expect(inspect(handle).a.to1DArray()).toEqual([0.5, 0.5, 0.5, 0.5]);
      handle.remove();
      expect(() => registerInitializer('pissa', constant)).toThrow(
        /"pissa" is a built-in LoRA initialiser and cannot be replaced/,
      );
    } finally {
      unregisterInitializer('constant');
    }
    expect(() => getInitializer('constant')).toThrow(
      'Unknown LoRA initialiser "constant"; registered: kaiming, gaussian, pissa, olora, orthogonal, eva.',
    );
  });
});
