/**
 * Small dense float64 helpers (q x q problems only; see DESIGN.md "Compute"). Matrices are
 * row-major `Float64Array`s.
 */

/** `A^T A` in float64 for a row-major `[rows, cols]` float32 matrix. */
export function gram(a: Float32Array, rows: number, cols: number): Float64Array {
  const g = new Float64Array(cols * cols);
  const row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    for (let j = 0; j < cols; j++) row[j] = a[offset + j] as number;
    for (let i = 0; i < cols; i++) {
      const ri = row[i] as number;
      if (ri === 0) continue;
      const gi = i * cols;
      for (let j = i; j < cols; j++) g[gi + j] = (g[gi + j] as number) + ri * (row[j] as number);
    }
  }
  for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) g[i * cols + j] = g[j * cols + i] as number;
  return g;
}

/**
 * `T` `[n, n]` such that `A T` has (nearly) orthonormal columns, given `G = A^T A`: the inverse of
 * the Cholesky factor of `G + shift I` (shifted CholeskyQR, Fukaya et al. 2020). The shift keeps
 * it from failing on the float32 Grams of power iterations; orthogonality there needs not be exact.
 */
export function choleskyOrthonormalizer(g: Float64Array, n: number, relativeShift = 1e-5): Float64Array {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, g[i * n + i] as number);
  if (!(maxDiag > 0)) return identity(n);
  let shift = relativeShift * maxDiag;
  for (let attempt = 0; attempt < 8; attempt++, shift *= 100) {
    const r = choleskyUpper(g, n, shift);
    if (r !== null) return invertUpper(r, n);
  }
  return identity(n);
}

/** Upper `R` with `R^T R = G + shift I`, or null when a pivot is not positive. */
export function choleskyUpper(g: Float64Array, n: number, shift: number): Float64Array | null {
  const r = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = (g[j * n + j] as number) + shift;
    for (let k = 0; k < j; k++) d -= (r[k * n + j] as number) ** 2;
    if (!(d > 0)) return null;
    const rjj = Math.sqrt(d);
    r[j * n + j] = rjj;
    for (let i = j + 1; i < n; i++) {
      let s = g[j * n + i] as number;
      for (let k = 0; k < j; k++) s -= (r[k * n + j] as number) * (r[k * n + i] as number);
      r[j * n + i] = s / rjj;
    }
  }
  return r;
}

/** `R^-1` of an upper-triangular row-major `[n, n]` `R` (back substitution). */
export function invertUpper(r: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    inv[j * n + j] = 1 / (r[j * n + j] as number);
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += (r[i * n + k] as number) * (inv[k * n + j] as number);
      inv[i * n + j] = -s / (r[i * n + i] as number);
    }
  }
  return inv;
}

function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/**
 * sklearn `svd_flip(u, v, u_based_decision=False)`: each row of `v` `[rows, cols]` is multiplied
 * by the sign of its largest-|.| entry (first one on ties), in place.
 */
export function flipSignsByLargestEntry(v: Float64Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    let best = 0;
    let arg = 0;
    for (let j = 0; j < cols; j++) {
      const a = Math.abs(v[offset + j] as number);
      if (a > best) {
        best = a;
        arg = j;
      }
    }
    if ((v[offset + arg] as number) < 0) for (let j = 0; j < cols; j++) v[offset + j] = -(v[offset + j] as number);
  }
}
