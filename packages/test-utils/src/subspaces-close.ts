import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { expect } from 'vitest';
import { dot, type Rows, rowsOf } from './rows';

/**
 * Cosines of the principal angles between the row spaces of `a` (`[k1, d]`) and `b` (`[k2, d]`),
 * descending, `min(k1, k2)` values in `[0, 1]`: the singular values of `Q_a Q_b^T`, where `Q_a`, `Q_b`
 * hold orthonormal bases of the row spaces (Bjorck & Golub 1973, "Numerical methods for computing
 * angles between linear subspaces"; scipy.linalg.subspace_angles). All 1 means the same subspace.
 * Float64 throughout; the bases come from modified Gram-Schmidt with reorthogonalisation.
 *
 * @param options.cols - row length `d` when `a` and `b` are flat row-major arrays.
 * @throws Error when the row lengths differ or the rows of `a` or `b` are linearly dependent.
 */
export function principalAngleCosines(a: Rows, b: Rows, options: { cols?: number } = {}): number[] {
  const qa = orthonormalRows(rowsOf(a, options.cols, 'a'), 'a');
  const qb = orthonormalRows(rowsOf(b, options.cols, 'b'), 'b');
  const [da, db] = [qa[0]?.length, qb[0]?.length];
  if (da === undefined || db === undefined) return [];
  if (da !== db) throw new Error(`principalAngleCosines: rows have ${da} and ${db} entries`);
  // [k1, d] @ [d, k2] -> [k1, k2]
  const m = new Matrix(qa.map((x) => qb.map((y) => dot(x, y))));
  const svd = new SingularValueDecomposition(m, {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  return svd.diagonal
    .map((s) => Math.min(1, Math.max(0, s)))
    .sort((x, y) => y - x)
    .slice(0, Math.min(qa.length, qb.length));
}

/**
 * Asserts (vitest `expect`) that the row spaces of `actual` and `expected` agree: every principal
 * angle between them has `cos >= minCos` (e.g. `0.999`). Use it where components are not unique
 * (tied singular values) but the subspace they span is, and for initialisers that promise a
 * subspace (PiSSA's top-r). Returns the smallest cosine (that of the largest angle).
 *
 * @throws Error when the two have different numbers of rows (different dimensions), as well as
 *   the errors of {@link principalAngleCosines}.
 */
export function expectSubspacesClose(
  actual: Rows,
  expected: Rows,
  options: { minCos: number; cols?: number; label?: string },
): number {
  const label = options.label === undefined ? '' : `${options.label}: `;
  const ka = rowsOf(actual, options.cols, 'actual').length;
  const ke = rowsOf(expected, options.cols, 'expected').length;
  if (ka !== ke) throw new Error(`${label}subspaces of dimension ${ka} and ${ke} cannot be close`);
  const cosines = principalAngleCosines(actual, expected, options);
  const worst = cosines.length === 0 ? 1 : (cosines[cosines.length - 1] as number);
  expect(worst, `${label}cos of the largest principal angle`).toBeGreaterThanOrEqual(options.minCos);
  return worst;
}

/** Orthonormal rows spanning the rows of `rows` (modified Gram-Schmidt, two passes). */
function orthonormalRows(rows: Float64Array[], what: string): Float64Array[] {
  const q: Float64Array[] = [];
  for (const [i, row] of rows.entries()) {
    const v = Float64Array.from(row);
    const scale = Math.sqrt(dot(v, v));
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        const p = dot(v, u);
        for (let c = 0; c < v.length; c++) v[c] = (v[c] as number) - p * (u[c] as number);
      }
    }
    const norm = Math.sqrt(dot(v, v));
    if (!(norm > 1e-10 * scale))
      throw new Error(`principalAngleCosines: row ${i} of ${what} depends on the rows before it`);
    for (let c = 0; c < v.length; c++) v[c] = (v[c] as number) / norm;
    q.push(v);
  }
  return q;
}
