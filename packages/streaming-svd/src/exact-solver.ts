import * as tf from '@tensorflow/tfjs-core';

import { rayleighRitz } from './rayleigh-ritz';
import { symmetricEigen } from './symmetric-eigen';
import type { StackedProblem, SvdSolver } from './svd-solver';

/**
 * Exact solver (Gram trick). For the stacked `M` `[m, d]`, form the Gram matrix of the smaller
 * side on the tfjs backend (float32), `M M^T` `[m, m]` when `m <= d`, else `M^T M` `[d, d]`, and
 * eigen-decompose it in float64 (`symmetricEigen`). The top `q = k + oversampling` eigenvectors give a
 * row-space basis; one refinement step `P <- M^T (M P)` and a float64 Rayleigh-Ritz projection
 * remove most of the float32 Gram's error. Cost: `O(min(m, d)^3)` in JS for the eigenproblem,
 * so prefer `randomized` once `min(m, d)` is in the hundreds.
 */
export const exactSolver: SvdSolver = {
  name: 'exact',
  solve(problem: StackedProblem) {
    const m = problem.matrix;
    const [rows, cols] = m.shape;
    const small = Math.min(rows, cols);
    const q = Math.min(small, problem.components + problem.oversampling);
    const mt = tf.transpose(m); // [d, m], explicit: wasm's fast path has no transpose flags
    let p: tf.Tensor2D;
    if (rows <= cols) {
      const g = tf.matMul(m, mt); // [m, d] @ [d, m] -> [m, m]
      const eig = symmetricEigen(Float64Array.from(g.dataSync()), rows);
      const u = new Float32Array(rows * q); // top-q eigenvectors of M M^T, scaled by 1/sigma
      const floor = Math.max(eig.values[0] ?? 0, 0) * 1e-12;
      for (let j = 0; j < q; j++) {
        const inv = 1 / Math.sqrt(Math.max(eig.values[j] as number, floor, Number.MIN_VALUE));
        for (let i = 0; i < rows; i++) u[i * q + j] = (eig.vectors[i * rows + j] as number) * inv;
      }
      p = tf.matMul(mt, tf.tensor2d(u, [rows, q])); // [d, m] @ [m, q] -> [d, q]
    } else {
      const g = tf.matMul(mt, m); // [d, m] @ [m, d] -> [d, d]
      const eig = symmetricEigen(Float64Array.from(g.dataSync()), cols);
      const v = new Float32Array(cols * q);
      for (let i = 0; i < cols; i++) for (let j = 0; j < q; j++) v[i * q + j] = eig.vectors[i * cols + j] as number;
      p = tf.tensor2d(v, [cols, q]);
    }
    const refined: tf.Tensor2D = tf.matMul(mt, tf.matMul(m, p)); // [d, m] @ ([m, d] @ [d, q]) -> [d, q]
    return rayleighRitz(m, refined, problem.components);
  },
};
