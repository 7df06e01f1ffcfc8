import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Eigen-decomposition of a small symmetric `[n, n]` float64 matrix (row-major), eigenvalues
 * descending, eigenvectors as the columns of `vectors` (row-major `[n, n]`). The input is symmetrised
 * as `(A + A^T) / 2`. Only for the `q x q` problems of an update (DESIGN.md "Compute"); the
 * decomposition is ml-matrix's `EigenvalueDecomposition` (JAMA's tred2/tql2), a maintained library,
 * rather than code of our own.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  if (n === 0) return { values, vectors };
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n);
    for (let j = 0; j < n; j++) row[j] = 0.5 * ((a[i * n + j] as number) + (a[j * n + i] as number));
    rows.push(row);
  }
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const raw = evd.realEigenvalues;
  const vec = evd.eigenvectorMatrix;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => (raw[y] as number) - (raw[x] as number));
  order.forEach((src, dst) => {
    values[dst] = raw[src] as number;
    for (let i = 0; i < n; i++) vectors[i * n + dst] = vec.get(i, src);
  });
  return { values, vectors };
}
