/**
 * Fused-op conformance: core's helpers run on cpu, wasm (plain tfjs ops) and native (the backend's
 * `Peft*` kernels), forward and gradient, against the cpu result.
 * Tolerance: |got - cpu| <= 2e-5 + 2e-4 |cpu| element-wise (float32, different summation order).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../backend';
import { attention } from './attention';
import { FUSED_KERNELS, hasFusedKernel } from './fused-kernel';
import { geluTanh } from './gelu-tanh';
import { layerNorm } from './layer-norm';
import { linear } from './linear';
import { loraDelta } from './lora-delta';
import { rmsNorm } from './rms-norm';
import { softmaxCrossEntropy } from './softmax-cross-entropy';

function seeded(seed: number): (n: number, lo?: number, hi?: number) => Float32Array {
  let s = seed >>> 0;
  return (n, lo = -2, hi = 2) =>
    Float32Array.from({ length: n }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
    });
}

function causalBias(batch: number, t: number, tk: number, padFirst = 0): tf.Tensor4D {
  const data = new Float32Array(batch * t * tk);
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < t; i++)
      for (let j = 0; j < tk; j++) {
        const masked = j > i + (tk - t) || (b === 1 && j < padFirst);
        data[(b * t + i) * tk + j] = masked ? -1e9 : 0;
      }
  return tf.tensor4d(data, [batch, 1, t, tk]);
}

interface FusedCase {
  readonly name: string;
  readonly kernel: string;
  readonly shapes: number[][];
  /** Builds the output from differentiable inputs (constants are made inside). */
  readonly f: (...xs: tf.Tensor[]) => tf.Tensor;
}

const target = Int32Array.from([3, 0, 10, 7, 7, 1, 2]);
const weight = Float32Array.from([1, 1, 0, 1, 1, 0, 1]);

const frozenWeight = () => tf.tensor2d(seeded(3)(12 * 5), [12, 5]);

const CASES: FusedCase[] = [
  {
    name: 'linear [7, 5] x [3, 5]^T + [3]',
    kernel: FUSED_KERNELS.linear,
    shapes: [[7, 5], [3, 5], [3]],
    f: (x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor),
  },
  {
    name: 'linear without bias [1, 1] x [1, 1]^T',
    kernel: FUSED_KERNELS.linear,
    shapes: [
      [1, 1],
      [1, 1],
    ],
    f: (x, w) => linear(x as tf.Tensor2D, w as tf.Tensor2D, null),
  },
  {
    name: 'linear with a frozen (constant) weight: gradient for x only',
    kernel: FUSED_KERNELS.linear,
    shapes: [[9, 5]],
    f: (x) => linear(x as tf.Tensor2D, frozenWeight(), null),
  },
  {
    name: 'loraDelta [6, 9], r = 2, out 4, scale 2',
    kernel: FUSED_KERNELS.loraDelta,
    shapes: [
      [6, 9],
      [2, 9],
      [4, 2],
    ],
    f: (x, a, b) => loraDelta(x as tf.Tensor2D, a as tf.Tensor2D, b as tf.Tensor2D, 2),
  },
  {
    name: 'loraDelta r = 1, n = 1',
    kernel: FUSED_KERNELS.loraDelta,
    shapes: [
      [1, 3],
      [1, 3],
      [5, 1],
    ],
    f: (x, a, b) => loraDelta(x as tf.Tensor2D, a as tf.Tensor2D, b as tf.Tensor2D, 0.5),
  },
  { name: 'geluTanh [37, 41]', kernel: FUSED_KERNELS.geluTanh, shapes: [[37, 41]], f: (x) => geluTanh(x) },
  { name: 'geluTanh [1]', kernel: FUSED_KERNELS.geluTanh, shapes: [[1]], f: (x) => geluTanh(tf.mul(x, 4)) },
  {
    name: 'layerNorm [3, 5, 17]',
    kernel: FUSED_KERNELS.layerNorm,
    shapes: [[3, 5, 17], [17], [17]],
    f: (x, g, b) => layerNorm(x, g as tf.Tensor, b as tf.Tensor, 1e-5),
  },
  {
    name: 'layerNorm [1, 2] (d = 2)',
    kernel: FUSED_KERNELS.layerNorm,
    shapes: [[1, 2], [2], [2]],
    f: (x, g, b) => layerNorm(x, g as tf.Tensor, b as tf.Tensor, 1e-5),
  },
  {
    name: 'rmsNorm [4, 33]',
    kernel: FUSED_KERNELS.rmsNorm,
    shapes: [[4, 33], [33]],
    f: (x, g) => rmsNorm(x, g as tf.Tensor, 1e-6),
  },
  {
    name: 'rmsNorm [2, 1, 1]',
    kernel: FUSED_KERNELS.rmsNorm,
    shapes: [[2, 1, 1], [1]],
    f: (x, g) => rmsNorm(x, g as tf.Tensor, 1e-6),
  },
  {
    name: 'attention causal [2, 3, 5, 4], shared bias',
    kernel: FUSED_KERNELS.attention,
    shapes: [
      [2, 3, 5, 4],
      [2, 3, 5, 4],
      [2, 3, 5, 4],
    ],
    f: (q, k, v) => attention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, causalBias(1, 5, 5), 0.5),
  },
  {
    name: 'attention causal + left padding, per-row bias [2, 2, 6, 3]',
    kernel: FUSED_KERNELS.attention,
    shapes: [
      [2, 2, 6, 3],
      [2, 2, 6, 3],
      [2, 2, 6, 3],
    ],
    f: (q, k, v) =>
      attention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, causalBias(2, 6, 6, 2), 1 / Math.sqrt(3)),
  },
  {
    name: 'attention T = 1, Tk = 3 (decoding step)',
    kernel: FUSED_KERNELS.attention,
    shapes: [
      [1, 2, 1, 4],
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ],
    f: (q, k, v) => attention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, causalBias(1, 1, 3), 0.5),
  },
  {
    name: 'softmaxCrossEntropy [7, 11] with zero weights',
    kernel: FUSED_KERNELS.crossEntropy,
    shapes: [[7, 11]],
    f: (logits) => softmaxCrossEntropy(tf.mul(logits, 3), target, weight, 5),
  },
  {
    name: 'softmaxCrossEntropy [1, 7, 11] (leading axes flattened)',
    kernel: FUSED_KERNELS.crossEntropy,
    shapes: [[1, 7, 11]],
    f: (logits) => softmaxCrossEntropy(logits, target, weight, 2),
  },
];

interface Result {
  y: Float32Array;
  grads: Float32Array[];
}

function run(c: FusedCase): Result {
  const gen = seeded(11);
  const arrays = c.shapes.map((s) => gen(s.reduce((n, d) => n * d, 1)));
  let result: Result = { y: new Float32Array(0), grads: [] };
  tf.tidy(() => {
    const xs = c.shapes.map((s, i) => tf.tensor(arrays[i] as Float32Array, s));
    const y = c.f(...xs);
    const w = tf.tensor(gen(y.size, -1, 1), y.shape);
    const grads = tf.grads((...inputs: tf.Tensor[]) => tf.sum(tf.mul(c.f(...inputs), w)))(xs);
    result = { y: Float32Array.from(y.dataSync()), grads: grads.map((g) => Float32Array.from(g.dataSync())) };
  });
  return result;
}

function worst(a: Float32Array, r: Float32Array): number {
  expect(a.length).toBe(r.length);
  let w = 0;
  for (let i = 0; i < a.length; i++)
    w = Math.max(w, Math.abs((a[i] as number) - (r[i] as number)) - (2e-5 + 2e-4 * Math.abs(r[i] as number)));
  return w;
}

const reference = new Map<string, Result>();

beforeAll(async () => {
  await setBackend('cpu');
  for (const c of CASES) reference.set(c.name, run(c));
});

describe.each(['cpu', 'wasm', 'native'] as const)('fused ops on %s', (backend) => {
  beforeAll(async () => {
    await setBackend(backend);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(tf.getBackend()).toBe(backend);
    // Native runs the fused kernel; cpu and wasm run the plain-ops reference path.
    expect(hasFusedKernel(c.kernel as never)).toBe(backend === 'native');
    const before = tf.memory().numTensors;
    const got = run(c);
    expect(tf.memory().numTensors).toBe(before);
    const ref = reference.get(c.name) as Result;
    expect(worst(got.y, ref.y)).toBeLessThanOrEqual(0);
    expect(got.grads.length).toBe(ref.grads.length);
    got.grads.forEach((g, i) => {
      expect(worst(g, ref.grads[i] as Float32Array)).toBeLessThanOrEqual(0);
    });
  });
});
