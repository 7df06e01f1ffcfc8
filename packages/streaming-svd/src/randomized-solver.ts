import * as tf from '@tensorflow/tfjs-core';

import { projectedRows, projectOnRange, rangeVectors } from './rayleigh-ritz';
import { choleskyOrthonormalizer } from './small-linalg';
import type { StackedProblem, SvdSolver } from './svd-solver';

/**
 * Randomized solver (Halko, Martinsson & Tropp 2011, Alg. 4.4 and 5.1: subspace iteration with
 * re-orthonormalisation, then the SVD of the projected matrix), the scheme of `torch.svd_lowrank`
 * that PEFT uses, with `powerIterations` as its `niter`. The trial basis `P` `[d, q]`,
 * `q = k + oversampling`, starts from the previous components (warm start) and seeded Gaussian
 * columns from the state's `Rng`, so a run is deterministic. Every iteration ends with a float64
 * Rayleigh-Ritz step on the current range (`projectOnRange`), whose basis also gives the next iterate
 * `Q^T M` at no extra product; from a warm start, which is already close to the answer, iterating
 * stops as soon as the top Ritz values settle (`tolerance`), usually after one iteration. Work on the
 * tfjs backend is `2 + 2 * iterations` plain 2-D products of `M` or `M^T` (transposed once) with a
 * `q`-column matrix (the wasm fast path), re-orthonormalised by shifted CholeskyQR (float32 Gram
 * `q x q`, Cholesky in float64).
 */
export const randomizedSolver: SvdSolver = {
  name: 'randomized',
  solve(problem: StackedProblem) {
    const m = problem.matrix;
    const [rows, cols] = m.shape;
    const q = Math.min(rows, cols, problem.components + problem.oversampling);
    const start = new Float32Array(cols * q);
    const warm = problem.warmStart === null ? 0 : Math.min(problem.warmStartRows, q);
    if (problem.warmStart !== null) {
      const prev = problem.warmStart;
      for (let j = 0; j < warm; j++) for (let i = 0; i < cols; i++) start[i * q + j] = prev[j * cols + i] as number;
    }
    if (warm < q) {
      const noise = problem.rng.normalArray(cols * (q - warm), 0, 1);
      const extra = q - warm;
      for (let i = 0; i < cols; i++)
        for (let j = 0; j < extra; j++) start[i * q + warm + j] = noise[i * extra + j] as number;
    }
    const mt = tf.transpose(m); // [d, m], once: products with M^T then keep the big operand first
    let y: tf.Tensor2D = tf.matMul(m, tf.tensor2d(start, [cols, q])); // [m, d] @ [d, q] -> [m, q]
    let fit = projectOnRange(mt, y, problem.components);
    for (let it = 0; it < problem.powerIterations && fit.ritz.r > 0; it++) {
      const z = projectedRows(fit); // Q^T M [r, d]
      y = tf.matMul(m, orthonormalize(tf.transpose(z))); // [m, d] @ [d, r] -> [m, r]
      const next = projectOnRange(mt, y, problem.components);
      const change = largestRelativeChange(fit.ritz.values, next.ritz.values);
      fit = next;
      // a warm start is close already: stop once the top Ritz values (squared singular values) have settled
      if (warm > 0 && change <= problem.tolerance) break;
    }
    return rangeVectors(fit, problem.components);
  },
};

/** The largest relative change of the Ritz values between two iterations (Infinity when their counts differ). */
function largestRelativeChange(previous: Float64Array, next: Float64Array): number {
  if (previous.length !== next.length) return Number.POSITIVE_INFINITY;
  let change = 0;
  for (let j = 0; j < next.length; j++) {
    const v = next[j] as number;
    if (v > 0) change = Math.max(change, Math.abs(v - (previous[j] as number)) / v);
  }
  return change;
}

/** `A T` with `T` from shifted CholeskyQR of `A^T A`: columns close to orthonormal. */
function orthonormalize(a: tf.Tensor2D): tf.Tensor2D {
  const q = a.shape[1];
  const g = tf.matMul(tf.transpose(a), a); // [q, r] @ [r, q] -> [q, q]
  const t = choleskyOrthonormalizer(Float64Array.from(g.dataSync()), q);
  return tf.matMul(a, tf.tensor2d(Float32Array.from(t), [q, q]));
}
