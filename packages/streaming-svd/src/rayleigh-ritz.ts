import * as tf from '@tensorflow/tfjs';

import { gram, symmetricEigen } from './small-linalg';

/** The top singular triplets a solver found: `vectors` is row-major `[count, d]`, rows orthonormal. */
export interface TopSingular {
  readonly singularValues: Float64Array;
  readonly vectors: Float64Array;
  readonly count: number;
}

/** Relative eigenvalue floor below which a direction of the trial basis counts as absent. */
const RANK_TOLERANCE = 1e-10;

/**
 * Rayleigh-Ritz: the best rank-`needed` approximation of `M` `[m, d]` within the row space spanned
 * by the columns of `P` `[d, q]` (which need not be orthonormal). The `O(m d q)` product `M P` runs
 * on the tfjs backend; everything after is `q x q` in float64:
 *
 *   Gp = P^T P, Gz = (M P)^T (M P)              (float64 Grams of float32 data)
 *   T  = D E diag(lambda)^-1/2                  (Loewdin orthonormaliser of the column-scaled Gp)
 *   H  = T^T Gz T = W diag(sigma) W^T           so S = sqrt(sigma), V = P T W
 *
 * When `P` spans fewer than `needed` directions, the rest is completed with orthonormal vectors
 * whose singular value is 0 (as an exact SVD of a rank-deficient matrix would return).
 * Must run inside a `tf.tidy` (it creates tensors).
 */
export function rayleighRitz(m: tf.Tensor2D, p: tf.Tensor2D, needed: number): TopSingular {
  const rows = m.shape[0];
  const [d, q] = p.shape;
  const z = tf.matMul(m, p); // [m, d] @ [d, q] -> [m, q]
  const gz = gram(z.dataSync() as Float32Array, rows, q);
  const pData = p.dataSync() as Float32Array;
  const gp = gram(pData, d, q);

  const scale = new Float64Array(q);
  for (let a = 0; a < q; a++) {
    const norm2 = gp[a * q + a] as number;
    scale[a] = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
  }
  const scaled = new Float64Array(q * q);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) scaled[a * q + b] = (gp[a * q + b] as number) * (scale[a] as number) * (scale[b] as number);
  const basis = symmetricEigen(scaled, q);
  const top = basis.values[0] ?? 0;
  let r = 0;
  while (r < q && top > 0 && (basis.values[r] as number) > RANK_TOLERANCE * top) r++;

  // T [q, r]
  const t = new Float64Array(q * r);
  for (let c = 0; c < r; c++) {
    const inv = 1 / Math.sqrt(basis.values[c] as number);
    for (let a = 0; a < q; a++) t[a * r + c] = (scale[a] as number) * (basis.vectors[a * q + c] as number) * inv;
  }
  // H = T^T Gz T [r, r]
  const gzt = matmul(gz, t, q, q, r);
  const h = new Float64Array(r * r);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let a = 0; a < q; a++) s += (t[a * r + i] as number) * (gzt[a * r + j] as number);
      h[i * r + j] = s;
    }
  const ritz = symmetricEigen(h, r);
  const count = Math.min(r, needed);
  // C = T W[:, :count]  [q, count]
  const c = new Float64Array(q * count);
  for (let a = 0; a < q; a++)
    for (let j = 0; j < count; j++) {
      let s = 0;
      for (let b = 0; b < r; b++) s += (t[a * r + b] as number) * (ritz.vectors[b * r + j] as number);
      c[a * count + j] = s;
    }
  // V^T = (P C)^T  [count, d]
  const vectors = new Float64Array(needed * d);
  for (let i = 0; i < d; i++) {
    const pi = i * q;
    for (let a = 0; a < q; a++) {
      const pia = pData[pi + a] as number;
      if (pia === 0) continue;
      for (let j = 0; j < count; j++) vectors[j * d + i] = (vectors[j * d + i] as number) + pia * (c[a * count + j] as number);
    }
  }
  const singularValues = new Float64Array(needed);
  for (let j = 0; j < count; j++) singularValues[j] = Math.sqrt(Math.max(ritz.values[j] as number, 0));
  if (count < needed) completeOrthonormalRows(vectors, count, needed, d);
  return { singularValues, vectors, count: needed };
}

function matmul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let l = 0; l < k; l++) {
      const ail = a[i * k + l] as number;
      if (ail === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] = (out[i * m + j] as number) + ail * (b[l * m + j] as number);
    }
  return out;
}

/** Fills rows `from..to-1` of `v` `[*, d]` with unit vectors orthogonal to all earlier rows. */
function completeOrthonormalRows(v: Float64Array, from: number, to: number, d: number): void {
  let candidate = 0;
  for (let row = from; row < to && candidate < d; candidate++) {
    const x = new Float64Array(d);
    x[candidate] = 1;
    for (let pass = 0; pass < 2; pass++)
      for (let prev = 0; prev < row; prev++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += (v[prev * d + i] as number) * (x[i] as number);
        for (let i = 0; i < d; i++) x[i] = (x[i] as number) - dot * (v[prev * d + i] as number);
      }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += (x[i] as number) ** 2;
    norm = Math.sqrt(norm);
    if (norm < 1e-6) continue;
    for (let i = 0; i < d; i++) v[row * d + i] = (x[i] as number) / norm;
    row++;
  }
}
