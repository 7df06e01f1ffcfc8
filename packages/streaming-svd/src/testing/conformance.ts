import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@peftjs/core';
import { expect, it } from 'vitest';

import type { StreamingDecomposer, StreamingDecomposerFactory } from '../streaming-decomposer';

/**
 * Conformance suite of the `StreamingDecomposer` plug point: call it inside a `describe` with a
 * factory; every implementation must pass it. Data: rows with a mean offset and a known
 * orthonormal basis scaled by a decaying spectrum, so the true components are known exactly.
 */
export function streamingDecomposerConformance<D extends StreamingDecomposer<Json, D>, Json>(
  factory: StreamingDecomposerFactory<D, Json>,
): void {
  const d = 24;
  const k = 4;
  const spectrum = Array.from({ length: d }, (_, j) => 10 * 0.6 ** j + 0.01);
  const basis = orthonormalBasis(d, new Rng('conformance/basis'));
  const sample = (rows: number, seed: string): Float32Array => {
    const rng = new Rng(seed);
    const out = new Float32Array(rows * d);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < d; j++) {
        const z = rng.normal() * (spectrum[j] as number);
        for (let c = 0; c < d; c++) out[i * d + c] = (out[i * d + c] as number) + z * (basis[j * d + c] as number);
      }
      for (let c = 0; c < d; c++) out[i * d + c] = (out[i * d + c] as number) + 50 + c;
    }
    return out;
  };
  const fitStream = (decomposer: D, batches: number, seed: string): void => {
    for (let b = 0; b < batches; b++) decomposer.partialFit(sample(40, `${seed}/${b}`), { rows: 40, cols: d });
  };

  it('starts empty and exposes [k, d] orthonormal components after partialFit', () => {
    const dec = factory.create(k);
    expect(dec.samplesSeen).toBe(0);
    expect(dec.components.length).toBe(0);
    const result = dec.partialFit(sample(40, 'a'), { rows: 40, cols: d });
    expect(result.status).toBe('fitted');
    expect(dec.samplesSeen).toBe(40);
    expect(dec.nFeatures).toBe(d);
    const c = dec.components;
    expect(c.length).toBe(k * d);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) expect(dot(c, i, c, j, d)).toBeCloseTo(i === j ? 1 : 0, 4);
    const s = dec.singularValues;
    for (let j = 1; j < k; j++) expect(s[j] as number).toBeLessThanOrEqual(s[j - 1] as number);
  });

  it('recovers the planted components and ratios from a stream', () => {
    const dec = factory.create(k);
    fitStream(dec, 5, 'stream');
    const c = dec.components;
    for (let j = 0; j < k; j++) expect(Math.abs(dot(c, j, basis, j, d))).toBeGreaterThan(0.98);
    const ratio = dec.explainedVarianceRatio;
    const total = spectrum.reduce((a, s) => a + s * s, 0);
    expect(Math.abs((ratio[0] as number) - (spectrum[0] as number) ** 2 / total)).toBeLessThan(0.05);
  });

  it('returns too-few-rows (and stays empty) for a first batch smaller than k, as scikit-learn raises there', () => {
    const dec = factory.create(k);
    expect(dec.partialFit(sample(k - 1, 'tiny'), { rows: k - 1, cols: d })).toEqual({
      status: 'too-few-rows',
      rows: k - 1,
      needed: k,
    });
    expect(dec.samplesSeen).toBe(0);
    expect(dec.components.length).toBe(0);
  });

  it('folds a later batch smaller than k into the state (scikit-learn >= 1.6), and skips an empty one', () => {
    const dec = factory.create(k);
    fitStream(dec, 1, 'few');
    const before = JSON.stringify(dec.toJSON());
    expect(dec.partialFit(new Float32Array(0), { rows: 0, cols: d })).toEqual({
      status: 'too-few-rows',
      rows: 0,
      needed: 1,
    });
    expect(JSON.stringify(dec.toJSON())).toBe(before);
    expect(dec.partialFit(sample(k - 1, 'tiny'), { rows: k - 1, cols: d })).toMatchObject({
      status: 'fitted',
      rows: k - 1,
      samplesSeen: 40 + k - 1,
    });
    expect(dec.samplesSeen).toBe(40 + k - 1);
    const c = dec.components;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) expect(dot(c, i, c, j, d)).toBeCloseTo(i === j ? 1 : 0, 4);
  });

  it('round-trips through JSON exactly and continues identically', () => {
    const dec = factory.create(k);
    fitStream(dec, 2, 'json');
    const copy = factory.fromJSON(JSON.parse(JSON.stringify(dec.toJSON())) as Json);
    expect(copy.toJSON()).toEqual(dec.toJSON());
    dec.partialFit(sample(40, 'next'), { rows: 40, cols: d });
    copy.partialFit(sample(40, 'next'), { rows: 40, cols: d });
    expect(Array.from(copy.components)).toEqual(Array.from(dec.components));
  });

  it('merges shard states into the state of the union', () => {
    const a = factory.create(k);
    const b = factory.create(k);
    const union = factory.create(k);
    fitStream(a, 2, 'shard-a');
    fitStream(b, 2, 'shard-b');
    fitStream(union, 2, 'shard-a');
    fitStream(union, 2, 'shard-b');
    const merged = a.merge(b);
    expect(merged.samplesSeen).toBe(union.samplesSeen);
    for (let j = 0; j < k; j++)
      expect(Math.abs(dot(merged.components, j, union.components, j, d))).toBeGreaterThan(0.999);
    for (let j = 0; j < k; j++)
      expect(
        Math.abs((merged.explainedVarianceRatio[j] as number) - (union.explainedVarianceRatio[j] as number)),
      ).toBeLessThan(1e-3);
  });

  it('is deterministic and leaks no tensor', () => {
    const before = tf.memory().numTensors;
    const a = factory.create(k);
    const b = factory.create(k);
    const x = tf.tensor2d(sample(40, 'leak'), [40, d]);
    a.partialFit(x);
    b.partialFit(x);
    x.dispose();
    fitStream(a, 2, 'det');
    fitStream(b, 2, 'det');
    a.merge(b);
    expect(Array.from(a.components)).toEqual(Array.from(b.components));
    expect(tf.memory().numTensors).toBe(before);
  });
}

function dot(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += (a[i * d + c] as number) * (b[j * d + c] as number);
  return s;
}

/** Rows of a random orthonormal `[d, d]` basis (Gram-Schmidt of Gaussian rows). */
function orthonormalBasis(d: number, rng: Rng): Float64Array {
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let c = 0; c < d; c++) q[i * d + c] = rng.normal();
    for (let pass = 0; pass < 2; pass++)
      for (let p = 0; p < i; p++) {
        const proj = dot(q, i, q, p, d);
        for (let c = 0; c < d; c++) q[i * d + c] = (q[i * d + c] as number) - proj * (q[p * d + c] as number);
      }
    const norm = Math.sqrt(dot(q, i, q, i, d));
    for (let c = 0; c < d; c++) q[i * d + c] = (q[i * d + c] as number) / norm;
  }
  return q;
}
