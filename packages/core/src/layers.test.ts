import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from './backend';
import { Dropout } from './dropout';
import { Embedding } from './embedding';
import { Linear } from './linear';
import { LayerNorm, RMSNorm } from './norms';
import { Rng } from './rng';

beforeAll(async () => {
  await setBackend('wasm');
});

function close(a: tf.Tensor, b: tf.Tensor, tol = 1e-5): void {
  const da = a.dataSync();
  const db = b.dataSync();
  expect(a.shape).toEqual(b.shape);
  let worst = 0;
  for (let i = 0; i < da.length; i++) worst = Math.max(worst, Math.abs((da[i] as number) - (db[i] as number)));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('Linear', () => {
  it('computes x W^T + b on 3-D input, matching a plain tfjs reference', () => {
    const lin = new Linear(5, 3, { rng: new Rng(3) });
    const x = tf.randomNormal([2, 4, 5], 0, 1, 'float32', 1);
    const y = lin.call(x);
    const ref = tf.tidy(() =>
      tf.reshape(tf.add(tf.matMul(tf.reshape(x, [8, 5]), lin.weight.value, false, true), lin.bias!.value), [2, 4, 3]),
    );
    close(y, ref);
    tf.dispose([x, y, ref]);
    lin.dispose();
  });

  it('has gradients equal to autograd of the reference, and none for a frozen weight', () => {
    const lin = new Linear(6, 4, { rng: new Rng(4) });
    const x = tf.randomNormal([7, 6], 0, 1, 'float32', 2);
    const target = tf.randomNormal([7, 4], 0, 1, 'float32', 3);
    const ours = tf.variableGrads(() => tf.sum(tf.mul(lin.call(x), target)) as tf.Scalar);
    const refW = tf.grad((w: tf.Tensor) =>
      tf.sum(tf.mul(tf.add(tf.matMul(x, w, false, true), lin.bias!.value), target)),
    )(lin.weight.value);
    close(ours.grads[lin.weight.value.name]!, refW, 1e-4);
    const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(lin.call(xi), target)))(x);
    const refDx = tf.matMul(target, lin.weight.value);
    close(dx, refDx, 1e-4);
    lin.weight.trainable = false;
    const frozen = tf.variableGrads(() => tf.sum(tf.mul(lin.call(x), target)) as tf.Scalar);
    expect(Object.keys(frozen.grads)).toEqual([lin.bias!.value.name]);
    tf.dispose([
      x,
      target,
      ours.value,
      refW,
      dx,
      refDx,
      frozen.value,
      ...Object.values(ours.grads),
      ...Object.values(frozen.grads),
    ]);
    lin.dispose();
  });

  it('explains a width mismatch', () => {
    const lin = new Linear(5, 3);
    const x = tf.ones([2, 4]);
    expect(() => lin.call(x)).toThrow(/last dimension 5, got shape \[2, 4\]/);
    expect(() => new Linear(0, 3)).toThrow(/inFeatures must be a positive integer/);
    x.dispose();
    lin.dispose();
  });
});

describe('Embedding', () => {
  it('looks up rows and has a gather-free gradient that works on wasm', () => {
    const emb = new Embedding(6, 3, { rng: new Rng(5) });
    const ids = tf.tensor2d(
      [
        [0, 2],
        [2, 5],
      ],
      [2, 2],
      'int32',
    );
    const out = emb.call(ids);
    expect(out.shape).toEqual([2, 2, 3]);
    const table = emb.weight.value.arraySync() as number[][];
    expect(Array.from(out.dataSync().slice(3, 6))).toEqual(table[2]!.map((v) => Math.fround(v)));
    const w = tf.randomNormal([2, 2, 3], 0, 1, 'float32', 9);
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.mul(emb.call(ids), w)) as tf.Scalar);
    const g = grads[emb.weight.value.name]!.arraySync() as number[][];
    const wv = w.arraySync() as number[][][];
    // Row 2 is used twice: its gradient is the sum of both upstream rows.
    for (let j = 0; j < 3; j++) expect(g[2]![j]).toBeCloseTo(wv[0]![1]![j]! + wv[1]![0]![j]!, 5);
    expect(g[1]).toEqual([0, 0, 0]);
    tf.dispose([ids, out, w, value, ...Object.values(grads)]);
    emb.dispose();
  });

  it('rejects out-of-range ids with the vocabulary size', () => {
    const emb = new Embedding(4, 2);
    const ids = tf.tensor1d([1, 4], 'int32');
    expect(() => emb.call(ids)).toThrow(/ids span \[1, 4\] but the vocabulary has 4 entries/);
    ids.dispose();
    emb.dispose();
  });
});

describe('norms', () => {
  it('LayerNorm and RMSNorm match their formulas', () => {
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [-2, 0, 2, 10],
    ]);
    const ln = new LayerNorm(4, { eps: 1e-5 });
    const rms = new RMSNorm(4, { eps: 1e-6 });
    const rows = x.arraySync();
    const expectLn = rows.map((r) => {
      const m = r.reduce((a, b) => a + b) / 4;
      const v = r.reduce((a, b) => a + (b - m) ** 2, 0) / 4;
      return r.map((z) => (z - m) / Math.sqrt(v + 1e-5));
    });
    const expectRms = rows.map((r) => {
      const ms = r.reduce((a, b) => a + b * b, 0) / 4;
      return r.map((z) => z / Math.sqrt(ms + 1e-6));
    });
    const a = ln.call(x);
    const b = rms.call(x);
    close(a, tf.tensor2d(expectLn), 1e-5);
    close(b, tf.tensor2d(expectRms), 1e-5);
    tf.dispose([x, a, b]);
    ln.dispose();
    rms.dispose();
  });
});

describe('Dropout', () => {
  it('is seeded, scales kept units, and is the identity in eval mode', () => {
    const x = tf.ones([1000]);
    const a = new Dropout(0.25, new Rng(11)).call(x);
    const b = new Dropout(0.25, new Rng(11)).call(x);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const values = Array.from(a.dataSync());
    expect(values.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    const dropped = values.filter((v) => v === 0).length;
    expect(dropped).toBeGreaterThan(200);
    expect(dropped).toBeLessThan(300);
    const d = new Dropout(0.5).eval();
    const c = d.call(x);
    expect(Array.from(c.dataSync()).every((v) => v === 1)).toBe(true);
    expect(() => new Dropout(1)).toThrow(/\[0, 1\)/);
    tf.dispose([x, a, b, c]);
  });
});
