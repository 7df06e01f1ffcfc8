/**
 * Eigen-decomposition of a small symmetric `[n, n]` float64 matrix (row-major), eigenvalues
 * descending, eigenvectors as the columns of `vectors`. The input is symmetrised as `(A + A^T) / 2`.
 *
 * The algorithm is JAMA's (public domain) Householder tridiagonalisation + implicit QL (`tred2`,
 * `tql2`), transcribed from ml-matrix 6's `EigenvalueDecomposition` (which stores the vectors
 * transposed, as here) onto one flat `Float64Array`: the same arithmetic without `Matrix.get/set`
 * calls, several times faster on the `q x q` problems every IncrementalPCA update solves.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(n * n); // v[j * n + i] holds V(i, j) during and after tred2/tql2
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v[j * n + i] = 0.5 * ((a[i * n + j] as number) + (a[j * n + i] as number));
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    tred2(n, e, d, v);
    tql2(n, e, d, v);
  }
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let dst = 0; dst < n; dst++) {
    const src = n - 1 - dst; // tql2 sorts ascending
    values[dst] = d[src] as number;
    for (let i = 0; i < n; i++) vectors[i * n + dst] = v[src * n + i] as number;
  }
  return { values, vectors };
}

/** Householder reduction to tridiagonal form (JAMA `tred2`), eigenvector storage transposed. */
function tred2(n: number, e: Float64Array, d: Float64Array, v: Float64Array): void {
  let f: number, g: number, h: number, i: number, j: number, k: number, hh: number, scale: number;

  for (j = 0; j < n; j++) {
    d[j] = (v[(j) * n + (n - 1)] as number);
  }

  for (i = n - 1; i > 0; i--) {
    scale = 0;
    h = 0;
    for (k = 0; k < i; k++) {
      scale = scale + Math.abs((d[k] as number));
    }

    if (scale === 0) {
      e[i] = (d[i - 1] as number);
      for (j = 0; j < i; j++) {
        d[j] = (v[(j) * n + (i - 1)] as number);
        v[(j) * n + (i)] = 0;
        v[(i) * n + (j)] = 0;
      }
    } else {
      for (k = 0; k < i; k++) {
        d[k] = (d[k] as number) / (scale);
        h += (d[k] as number) * (d[k] as number);
      }

      f = (d[i - 1] as number);
      g = Math.sqrt(h);
      if (f > 0) {
        g = -g;
      }

      e[i] = scale * g;
      h = h - f * g;
      d[i - 1] = f - g;
      for (j = 0; j < i; j++) {
        e[j] = 0;
      }

      for (j = 0; j < i; j++) {
        f = (d[j] as number);
        v[(i) * n + (j)] = f;
        g = (e[j] as number) + (v[(j) * n + (j)] as number) * f;
        for (k = j + 1; k <= i - 1; k++) {
          g += (v[(j) * n + (k)] as number) * (d[k] as number);
          e[k] = (e[k] as number) + ((v[(j) * n + (k)] as number) * f);
        }
        e[j] = g;
      }

      f = 0;
      for (j = 0; j < i; j++) {
        e[j] = (e[j] as number) / (h);
        f += (e[j] as number) * (d[j] as number);
      }

      hh = f / (h + h);
      for (j = 0; j < i; j++) {
        e[j] = (e[j] as number) - (hh * (d[j] as number));
      }

      for (j = 0; j < i; j++) {
        f = (d[j] as number);
        g = (e[j] as number);
        for (k = j; k <= i - 1; k++) {
          v[(j) * n + (k)] = (v[(j) * n + (k)] as number) - (f * (e[k] as number) + g * (d[k] as number));
        }
        d[j] = (v[(j) * n + (i - 1)] as number);
        v[(j) * n + (i)] = 0;
      }
    }
    d[i] = h;
  }

  for (i = 0; i < n - 1; i++) {
    v[(i) * n + (n - 1)] = (v[(i) * n + (i)] as number);
    v[(i) * n + (i)] = 1;
    h = (d[i + 1] as number);
    if (h !== 0) {
      for (k = 0; k <= i; k++) {
        d[k] = (v[(i + 1) * n + (k)] as number) / h;
      }

      for (j = 0; j <= i; j++) {
        g = 0;
        for (k = 0; k <= i; k++) {
          g += (v[(i + 1) * n + (k)] as number) * (v[(j) * n + (k)] as number);
        }
        for (k = 0; k <= i; k++) {
          v[(j) * n + (k)] = (v[(j) * n + (k)] as number) - g * (d[k] as number);
        }
      }
    }

    for (k = 0; k <= i; k++) {
      v[(i + 1) * n + (k)] = 0;
    }
  }

  for (j = 0; j < n; j++) {
    d[j] = (v[(j) * n + (n - 1)] as number);
    v[(j) * n + (n - 1)] = 0;
  }

  v[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

/** Symmetric tridiagonal QL with implicit shifts (JAMA `tql2`); eigenvalues ascending. */
function tql2(n: number, e: Float64Array, d: Float64Array, v: Float64Array): void {
  let g: number, h: number, i: number, j: number, k: number, l: number, m: number, p: number, r: number, dl1: number, c: number, c2: number, c3: number, el1: number, s: number, s2: number;

  for (i = 1; i < n; i++) {
    e[i - 1] = (e[i] as number);
  }

  e[n - 1] = 0;

  let f = 0;
  let tst1 = 0;
  const eps = Number.EPSILON;

  for (l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs((d[l] as number)) + Math.abs((e[l] as number)));
    m = l;
    while (m < n) {
      if (Math.abs((e[m] as number)) <= eps * tst1) {
        break;
      }
      m++;
    }

    if (m > l) {
      do {

        g = (d[l] as number);
        p = ((d[l + 1] as number) - g) / (2 * (e[l] as number));
        r = hypotenuse(p, 1);
        if (p < 0) {
          r = -r;
        }

        d[l] = (e[l] as number) / (p + r);
        d[l + 1] = (e[l] as number) * (p + r);
        dl1 = (d[l + 1] as number);
        h = g - (d[l] as number);
        for (i = l + 2; i < n; i++) {
          d[i] = (d[i] as number) - (h);
        }

        f = f + h;

        p = (d[m] as number);
        c = 1;
        c2 = c;
        c3 = c;
        el1 = (e[l + 1] as number);
        s = 0;
        s2 = 0;
        for (i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * (e[i] as number);
          h = c * p;
          r = hypotenuse(p, (e[i] as number));
          e[i + 1] = s * r;
          s = (e[i] as number) / r;
          c = p / r;
          p = c * (d[i] as number) - s * g;
          d[i + 1] = h + s * (c * g + s * (d[i] as number));

          for (k = 0; k < n; k++) {
            h = (v[(i + 1) * n + (k)] as number);
            v[(i + 1) * n + (k)] = s * (v[(i) * n + (k)] as number) + c * h;
            v[(i) * n + (k)] = c * (v[(i) * n + (k)] as number) - s * h;
          }
        }

        p = (-s * s2 * c3 * el1 * (e[l] as number)) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs((e[l] as number)) > eps * tst1);
    }
    d[l] = (d[l] as number) + f;
    e[l] = 0;
  }

  for (i = 0; i < n - 1; i++) {
    k = i;
    p = (d[i] as number);
    for (j = i + 1; j < n; j++) {
      if ((d[j] as number) < p) {
        k = j;
        p = (d[j] as number);
      }
    }

    if (k !== i) {
      d[k] = (d[i] as number);
      d[i] = p;
      for (j = 0; j < n; j++) {
        p = (v[(i) * n + (j)] as number);
        v[(i) * n + (j)] = (v[(k) * n + (j)] as number);
        v[(k) * n + (j)] = p;
      }
    }
  }
}

function hypotenuse(a: number, b: number): number {
  if (Math.abs(a) > Math.abs(b)) {
    const r = b / a;
    return Math.abs(a) * Math.sqrt(1 + r * r);
  }
  if (b !== 0) {
    const r = a / b;
    return Math.abs(b) * Math.sqrt(1 + r * r);
  }
  return 0;
}
