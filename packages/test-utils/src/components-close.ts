import { expect } from 'vitest';
import { dot, type Rows, rowsOf } from './rows';

export interface ComponentsCloseOptions {
  /** Smallest accepted `|cos|` between row `j` of `actual` and row `j` of `expected`, in `[0, 1]` (e.g. `0.99`). */
  readonly minAbsCos: number;
  /** Row length `d` when the matrices are flat row-major arrays (`[k, d]`). */
  readonly cols?: number;
  /**
   * The row indices to compare (default: every row of `expected`), e.g.
   * `separatedComponents(singularValues)`: a component whose singular value is (nearly) tied with a
   * neighbour is not unique, only the subspace of the tie is (compare that with `expectSubspacesClose`).
   */
  readonly rows?: readonly number[];
  /** Also require `cos > 0`, for two methods that fix signs the same way (scikit-learn's `svd_flip`). */
  readonly sameSign?: boolean;
  /** Prefix of every failure message, e.g. the layer name. */
  readonly label?: string;
}

/** How a comparison went: the rows compared and the smallest `|cos|` among them (1 when none). */
export interface ComponentsCloseResult {
  readonly compared: number;
  readonly worstAbsCos: number;
}

/**
 * Signed cosine between row `j` of `actual` and row `j` of `expected` for each `j` of `rows`
 * (default: every row of `expected`): the dot product over the norms, in float64.
 *
 * @throws Error when a row is missing, the row lengths differ, or a row has zero norm.
 */
export function componentCosines(
  actual: Rows,
  expected: Rows,
  options: { cols?: number; rows?: readonly number[]; label?: string } = {},
): number[] {
  const a = rowsOf(actual, options.cols, 'actual');
  const e = rowsOf(expected, options.cols, 'expected');
  const label = options.label === undefined ? '' : `${options.label}: `;
  return (options.rows ?? e.map((_, j) => j)).map((j) => {
    const x = a[j];
    const y = e[j];
    if (x === undefined || y === undefined) {
      throw new Error(`${label}component ${j} is missing (actual has ${a.length} rows, expected ${e.length})`);
    }
    if (x.length !== y.length) throw new Error(`${label}rows have ${x.length} and ${y.length} entries`);
    const norms = Math.sqrt(dot(x, x) * dot(y, y));
    if (norms === 0) throw new Error(`${label}component ${j} has zero norm`);
    return dot(x, y) / norms;
  });
}

/**
 * Asserts (vitest `expect`) that the components (rows) of `actual` match those of `expected` up to
 * sign: for each compared row `j`, `|cos(actual_j, expected_j)| >= minAbsCos` (see
 * {@link componentCosines}). Singular vectors are unique only up to sign, so they are compared
 * this way, never element-wise (STYLE 11).
 *
 * @param actual - `[k', d]` rows (at least as many as the highest compared index).
 * @param expected - `[k, d]` rows.
 * @throws Error when the shapes disagree or a row has zero norm; an assertion error naming the row otherwise.
 */
export function expectComponentsClose(
  actual: Rows,
  expected: Rows,
  options: ComponentsCloseOptions,
): ComponentsCloseResult {
  const label = options.label === undefined ? '' : `${options.label}: `;
  const indices = options.rows ?? rowsOf(expected, options.cols, 'expected').map((_, j) => j);
  const cosines = componentCosines(actual, expected, { ...options, rows: indices });
  let worstAbsCos = 1;
  cosines.forEach((cos, i) => {
    const j = indices[i] as number;
    worstAbsCos = Math.min(worstAbsCos, Math.abs(cos));
    expect(Math.abs(cos), `${label}|cos| of component ${j}`).toBeGreaterThanOrEqual(options.minAbsCos);
    if (options.sameSign === true) expect(cos, `${label}sign of component ${j}`).toBeGreaterThan(0);
  });
  return { compared: indices.length, worstAbsCos };
}

/**
 * Indices `j` whose singular value is separated from both neighbours by more than `minRatio`
 * (`s[j-1] / s[j] > minRatio` and `s[j] / s[j+1] > minRatio`; a missing neighbour counts as
 * separated). Only these components are unique up to sign; pass them as `rows` to
 * {@link expectComponentsClose}.
 *
 * @param singularValues - descending, >= 0.
 * @param minRatio - e.g. `1.05`; > 1.
 */
export function separatedComponents(singularValues: ArrayLike<number>, minRatio: number): number[] {
  if (!(minRatio > 1)) throw new Error(`separatedComponents: minRatio must be > 1, got ${minRatio}`);
  const s = Array.from(singularValues);
  const out: number[] = [];
  for (let j = 0; j < s.length; j++) {
    const prev = s[j - 1];
    const next = s[j + 1];
    const here = s[j] as number;
    if ((prev === undefined || prev > minRatio * here) && (next === undefined || here > minRatio * next)) out.push(j);
  }
  return out;
}
