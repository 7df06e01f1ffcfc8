import * as tf from '@tensorflow/tfjs-core';

import { choleskyUpper, gram, invertUpper } from './small-linalg';
import { symmetricEigen } from './symmetric-eigen';

/** The top singular triplets a solver found: `vectors` is row-major `[count, d]`, rows orthonormal. */
export interface TopSingular {
  /** `[count]`, descending. */
  readonly singularValues: Float64Array;
  /** The right-singular vectors, `[count, d]` row-major. */
  readonly vectors: Float64Array;
  /** Triplets found; at most the `components` asked for, fewer when the matrix has lower rank. */
  readonly count: number;
}

/** Relative eigenvalue floor below which a direction of the trial basis counts as absent. */
const RANK_TOLERANCE = 1e-10;
/** The same floor for a basis Gram computed in float32 (its entries carry ~1e-7 relative error). */
const FLOAT32_RANK_TOLERANCE = 1e-6;

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
  const ritz = ritzPairs(gram(pData, d, q), gz, q, needed);
  const { c, count } = ritz;
  // V^T = (P C)^T  [count, d]
  const vectors = new Float64Array(needed * d);
  for (let i = 0; i < d; i++) {
    const pi = i * q;
    for (let a = 0; a < q; a++) {
      const pia = pData[pi + a] as number;
      if (pia === 0) continue;
      for (let j = 0; j < count; j++)
        vectors[j * d + i] = (vectors[j * d + i] as number) + pia * (c[a * count + j] as number);
    }
  }
  return finish(ritz, vectors, needed, d);
}

/** What {@link projectOnRange} computed: `B = Y^T M` and the Ritz pairs (with the orthonormaliser `T` of `Y`). */
export interface RangeProjection {
  /** `B = Y^T M` `[q, d]` (a tensor of the caller's tidy scope) and its data. */
  readonly b: tf.Tensor2D;
  readonly bData: Float32Array;
  /** The top Ritz values `sigma` (squared singular values), descending, and their coefficients. */
  readonly ritz: RitzPairs;
}

/**
 * Rayleigh-Ritz from the column side (the last step of Halko et al. 2011, Alg. 5.1): the best
 * rank-`needed` approximation of `M` `[m, d]` (given as `M^T`) within the column space spanned by `Y` `[m, q]` (not
 * necessarily orthonormal), i.e. the SVD of `Q^T M` for an orthonormal basis `Q` of `Y`. The
 * `O(m d q)` product `B = Y^T M` and `Y`'s Gram run on the tfjs backend in float32; the Gram of `B`,
 * whose small eigenvalues are the small singular values squared, and the vectors are float64:
 *
 *   B  = Y^T M [q, d];  Gy = Y^T Y (float32);  Gb = B B^T (float64 of float32 data)
 *   T  = D E diag(lambda)^-1/2                   (so Q = Y T is orthonormal; Q^T M = T^T B)
 *   H  = T^T Gb T = W diag(sigma) W^T            so S = sqrt(sigma), V^T = S^-1 W^T T^T B
 *
 * Directions of `Y` below float32's resolution, and Ritz values below the rank tolerance, are left
 * out and completed with orthonormal rows of singular value 0 (by {@link rangeVectors}). Must run inside a `tf.tidy`.
 */
export function projectOnRange(mt: tf.Tensor2D, y: tf.Tensor2D, needed: number): RangeProjection {
  const d = mt.shape[0];
  const q = y.shape[1];
  const yt = tf.transpose(y); // [q, m], explicit: wasm's fast path has no transpose flags
  // B^T = M^T Y rather than Y^T M: the big operand goes first (XNNPACK packs the second one per call)
  const b: tf.Tensor2D = tf.transpose(tf.matMul(mt, y) as tf.Tensor2D); // ([d, m] @ [m, q])^T -> [q, d]
  const gy = Float64Array.from(tf.matMul(yt, y).dataSync()); // [q, m] @ [m, q] -> [q, q]
  const bData = b.dataSync() as Float32Array;
  return { b, bData, ritz: ritzPairs(gy, gramOfRows(bData, q, d), q, needed, FLOAT32_RANK_TOLERANCE) };
}

/**
 * `Q^T M = T^T B` `[r, d]` for the orthonormal basis `Q = Y T` of a projection's range: the next
 * iterate of subspace iteration (rows scaled like the singular values), one small product.
 */
export function projectedRows(projection: RangeProjection): tf.Tensor2D {
  const { t, r } = projection.ritz;
  const q = projection.b.shape[0];
  const tt = new Float32Array(r * q);
  for (let c = 0; c < r; c++) for (let a = 0; a < q; a++) tt[c * q + a] = t[a * r + c] as number;
  return tf.matMul(tf.tensor2d(tt, [r, q]), projection.b); // [r, q] @ [q, d] -> [r, d]
}

/** The singular triplets of a projection: `V^T = S^-1 W^T T^T B` in float64, completed to `needed` rows. */
export function rangeVectors(projection: RangeProjection, needed: number): TopSingular {
  const { b, bData, ritz } = projection;
  const [q, d] = b.shape;
  const top = ritz.values[0] ?? 0;
  let count = 0; // directions whose 1/sigma scaling is safe
  while (count < ritz.count && top > 0 && (ritz.values[count] as number) > RANK_TOLERANCE * top) count++;
  // F = C diag(S)^-1 [q, count], then V^T = F^T B [count, d]
  const f = new Float64Array(q * count);
  for (let a = 0; a < q; a++)
    for (let j = 0; j < count; j++)
      f[a * count + j] = (ritz.c[a * ritz.count + j] as number) / Math.sqrt(ritz.values[j] as number);
  const vectors = new Float64Array(needed * d);
  for (let a = 0; a < q; a++) {
    const row = a * d;
    for (let j = 0; j < count; j++) {
      const faj = f[a * count + j] as number;
      if (faj === 0) continue;
      const out = j * d;
      for (let i = 0; i < d; i++) vectors[out + i] = (vectors[out + i] as number) + faj * (bData[row + i] as number);
    }
  }
  return finish({ values: ritz.values, count }, vectors, needed, d);
}

/** Ritz values `sigma` (descending) and the `[q, count]` coefficients `C = T W` of the Ritz vectors in the trial basis. */
interface RitzPairs {
  readonly values: Float64Array;
  readonly c: Float64Array;
  readonly count: number;
  /** The orthonormaliser `T` `[q, r]` of the trial basis (`r` directions above the rank tolerance). */
  readonly t: Float64Array;
  readonly r: number;
}

/**
 * The `q x q` float64 core shared by both variants: from the Gram `gp` of a trial basis and the
 * Gram `gz` of its image, a Loewdin orthonormaliser `T` of the column-scaled `gp` (dropping
 * directions below the rank tolerance) and the eigenpairs of `T^T gz T`.
 */
function ritzPairs(
  gp: Float64Array,
  gz: Float64Array,
  q: number,
  needed: number,
  tolerance = RANK_TOLERANCE,
): RitzPairs {
  const scale = new Float64Array(q);
  for (let a = 0; a < q; a++) {
    const norm2 = gp[a * q + a] as number;
    scale[a] = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
  }
  const scaled = new Float64Array(q * q);
  for (let a = 0; a < q; a++)
    for (let b = 0; b < q; b++)
      scaled[a * q + b] = (gp[a * q + b] as number) * (scale[a] as number) * (scale[b] as number);
  // T [q, r]: D R^-1 when the scaled Gram is safely positive definite (one Cholesky), else D E diag(lambda)^-1/2
  const { t, r } = choleskyBasis(scaled, scale, q, tolerance) ?? loewdinBasis(scaled, scale, q, tolerance);
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
  return { values: ritz.values.slice(0, count), c, count, t, r };
}

/**
 * `T = D R^-1` with `R^T R` the Cholesky factor of the column-scaled Gram (unit diagonal), or null when
 * it is not safely positive definite: some direction could be below `tolerance` times the largest
 * (bound: `lambda_min >= 1 / ||R^-1||_F^2`, `lambda_max <= q`). Any orthonormal basis of the trial
 * space gives the same Ritz pairs; this one costs one Cholesky instead of an eigen-decomposition.
 */
function choleskyBasis(
  scaled: Float64Array,
  scale: Float64Array,
  q: number,
  tolerance: number,
): { t: Float64Array; r: number } | null {
  const inv = choleskyInverse(scaled, q);
  if (inv === null) return null;
  let frobenius = 0;
  for (let i = 0; i < q * q; i++) frobenius += (inv[i] as number) ** 2;
  if (!(1 / frobenius > tolerance * q)) return null;
  const t = new Float64Array(q * q);
  for (let a = 0; a < q; a++)
    for (let c = a; c < q; c++) t[a * q + c] = (scale[a] as number) * (inv[a * q + c] as number);
  return { t, r: q };
}

/** `R^-1` (upper triangular, row-major) for `R^T R = G`, or null when a pivot is not positive. */
function choleskyInverse(g: Float64Array, n: number): Float64Array | null {
  const r = choleskyUpper(g, n, 0);
  return r === null ? null : invertUpper(r, n);
}

/** Loewdin basis `T = D E diag(lambda)^-1/2` of the column-scaled Gram, dropping directions below `tolerance`. */
function loewdinBasis(
  scaled: Float64Array,
  scale: Float64Array,
  q: number,
  tolerance: number,
): { t: Float64Array; r: number } {
  const basis = symmetricEigen(scaled, q);
  const top = basis.values[0] ?? 0;
  let r = 0;
  while (r < q && top > 0 && (basis.values[r] as number) > tolerance * top) r++;
  const t = new Float64Array(q * r);
  for (let c = 0; c < r; c++) {
    const inv = 1 / Math.sqrt(basis.values[c] as number);
    for (let a = 0; a < q; a++) t[a * r + c] = (scale[a] as number) * (basis.vectors[a * q + c] as number) * inv;
  }
  return { t, r };
}

/** Singular values from the Ritz values, and orthonormal completion of the rows past `count`. */
function finish(
  ritz: { values: Float64Array; count: number },
  vectors: Float64Array,
  needed: number,
  d: number,
): TopSingular {
  const singularValues = new Float64Array(needed);
  for (let j = 0; j < ritz.count; j++) singularValues[j] = Math.sqrt(Math.max(ritz.values[j] as number, 0));
  if (ritz.count < needed) completeOrthonormalRows(vectors, ritz.count, needed, d);
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

/** `A A^T` in float64 for a row-major `[rows, cols]` float32 matrix (few rows, many columns). */
function gramOfRows(a: Float32Array, rows: number, cols: number): Float64Array {
  const g = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++)
    for (let j = i; j < rows; j++) {
      let s = 0;
      const ri = i * cols;
      const rj = j * cols;
      for (let c = 0; c < cols; c++) s += (a[ri + c] as number) * (a[rj + c] as number);
      g[i * rows + j] = s;
      g[j * rows + i] = s;
    }
  return g;
}
