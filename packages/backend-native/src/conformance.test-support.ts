import * as tf from '@tensorflow/tfjs-core';

/** A deterministic float generator (LCG) so every backend sees the same inputs. */
function seeded(seed: number): (n: number, lo?: number, hi?: number) => Float32Array {
  let s = seed >>> 0;
  return (n, lo = -2, hi = 2) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      out[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
    }
    return out;
  };
}

/** One conformance case: builds its inputs from plain arrays on the active backend, then runs `f`. */
export interface KernelCase {
  readonly name: string;
  /** Input shapes; data comes from `seeded` within `[lo, hi]`. */
  readonly shapes: readonly (readonly number[])[];
  readonly range?: readonly [number, number];
  readonly f: (...xs: tf.Tensor[]) => tf.Tensor;
  /** Also compare gradients of `sum(f(xs) * w)` with respect to every input. */
  readonly grad: boolean;
  /** A defect of tfjs-backend-wasm 4.22 this case exposes: on wasm the case must deviate or throw (drop the entry once it stops). */
  readonly wasmGap?: string;
  /** A tfjs-backend-wasm 4.22 defect with nondeterministic values: on wasm only the output shape is compared. */
  readonly wasmShapeOnly?: string;
}

export interface CaseResult {
  readonly forward: { values: Float32Array; shape: number[] };
  readonly grads: { values: Float32Array; shape: number[] }[];
}

/** Runs `c` on the active backend with seed-fixed inputs and a seed-fixed output weighting `w`. */
export function runCase(c: KernelCase, seed = 7): CaseResult {
  const gen = seeded(seed);
  const [lo, hi] = c.range ?? [-2, 2];
  const arrays = c.shapes.map((s) =>
    gen(
      s.reduce((n, d) => n * d, 1),
      lo,
      hi,
    ),
  );
  let forward: CaseResult['forward'] = { values: new Float32Array(0), shape: [] };
  const grads: CaseResult['grads'] = [];
  tf.tidy(() => {
    const xs = c.shapes.map((s, i) => tf.tensor(arrays[i] as Float32Array, s as number[]));
    const y = c.f(...xs);
    forward = { values: Float32Array.from(y.dataSync()), shape: y.shape.slice() };
    if (c.grad) {
      const w = tf.tensor(gen(y.size, -1, 1), y.shape);
      const g = tf.grads((...inputs: tf.Tensor[]) => tf.sum(tf.mul(c.f(...inputs), w)))(xs);
      for (const t of g) grads.push({ values: Float32Array.from(t.dataSync()), shape: t.shape.slice() });
    }
  });
  return { forward, grads };
}

/** Largest violation of `|a - r| <= atol + rtol |r|` (<= 0 means within tolerance); NaN/inf must match exactly. */
export function worstViolation(a: Float32Array, r: Float32Array, atol: number, rtol: number): number {
  if (a.length !== r.length) return Number.POSITIVE_INFINITY;
  let worst = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = r[i] as number;
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      if (!Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y))) return Number.POSITIVE_INFINITY;
      continue;
    }
    worst = Math.max(worst, Math.abs(x - y) - (atol + rtol * Math.abs(y)));
  }
  return a.length === 0 ? 0 : worst;
}
