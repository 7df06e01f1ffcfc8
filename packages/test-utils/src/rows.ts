/**
 * A matrix given by its rows: a flat row-major array (with the row length `cols` passed
 * separately) or an array of rows, as PEFT's JSON and ml-matrix's `to2DArray()` give them.
 */
export type Rows = ArrayLike<number> | readonly ArrayLike<number>[];

/** The rows of `m` as float64 arrays of length `cols`. */
export function rowsOf(m: Rows, cols: number | undefined, what: string): Float64Array[] {
  if (isRowArray(m)) {
    const d = cols ?? m[0]?.length ?? 0;
    return Array.from(m, (row, i) => {
      if (row.length !== d) throw new Error(`${what}: row ${i} has ${row.length} entries, expected ${d}`);
      return Float64Array.from(row);
    });
  }
  if (cols === undefined || !Number.isInteger(cols) || cols <= 0) {
    throw new Error(`${what}: a flat row-major matrix needs its row length; pass { cols: d }`);
  }
  if (m.length % cols !== 0) throw new Error(`${what}: ${m.length} values are not whole rows of ${cols}`);
  return Array.from({ length: m.length / cols }, (_, i) =>
    Float64Array.from({ length: cols }, (_, c) => m[i * cols + c] as number),
  );
}

function isRowArray(m: Rows): m is readonly ArrayLike<number>[] {
  return m.length > 0 && typeof m[0] === 'object' && m[0] !== null;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let c = 0; c < a.length; c++) s += (a[c] as number) * (b[c] as number);
  return s;
}
