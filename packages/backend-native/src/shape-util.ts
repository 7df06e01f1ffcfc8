/** Shape helpers shared by the kernels: sizes, broadcast collapsing, transpose collapsing. */

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Collapses a NumPy broadcast of `a` and `b` to `out` into at most a few axes: size-1 output axes
 * are dropped and neighbouring axes with the same broadcast pattern merged. Returns the merged
 * output dims and each operand's element strides (0 on broadcast axes), or `null` beyond rank 4.
 */
export function collapseBroadcast(
  aShape: readonly number[],
  bShape: readonly number[],
  outShape: readonly number[],
): { dims: number[]; aStrides: number[]; bStrides: number[] } | null {
  const rank = outShape.length;
  const dims: number[] = [];
  const aB: boolean[] = [];
  const bB: boolean[] = [];
  for (let k = 0; k < rank; k++) {
    const d = outShape[k] as number;
    if (d === 1) continue;
    const ad = aShape[k - (rank - aShape.length)] ?? 1;
    const bd = bShape[k - (rank - bShape.length)] ?? 1;
    const ab = ad === 1;
    const bb = bd === 1;
    const last = dims.length - 1;
    if (last >= 0 && aB[last] === ab && bB[last] === bb) {
      dims[last] = (dims[last] as number) * d;
    } else {
      dims.push(d);
      aB.push(ab);
      bB.push(bb);
    }
  }
  if (dims.length === 0) return { dims: [1], aStrides: [1], bStrides: [1] };
  if (dims.length > 4) return null;
  const aStrides = new Array<number>(dims.length);
  const bStrides = new Array<number>(dims.length);
  let as = 1;
  let bs = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    aStrides[k] = aB[k] ? 0 : as;
    bStrides[k] = bB[k] ? 0 : bs;
    if (!aB[k]) as *= dims[k] as number;
    if (!bB[k]) bs *= dims[k] as number;
  }
  return { dims, aStrides, bStrides };
}

/**
 * Collapses `transpose(x: shape, perm)`: drops size-1 axes and merges input axes that stay
 * adjacent and in order under `perm`. Returns the reduced input shape and permutation.
 */
export function collapseTranspose(
  shape: readonly number[],
  perm: readonly number[],
): { shape: number[]; perm: number[] } {
  const keep = shape.map((d) => d !== 1);
  // Output order of the kept input axes.
  const order = perm.filter((p) => keep[p]);
  // Merge runs p, p+1, ... that are consecutive in the output order.
  const groups: number[][] = [];
  for (const p of order) {
    const last = groups[groups.length - 1];
    if (last !== undefined && nextKept(keep, last[last.length - 1] as number) === p) last.push(p);
    else groups.push([p]);
  }
  // Input order of the groups gives the collapsed input shape.
  const byInput = [...groups].sort((g, h) => (g[0] as number) - (h[0] as number));
  const newShape = byInput.map((g) => g.reduce((n, p) => n * (shape[p] as number), 1));
  const newPerm = groups.map((g) => byInput.indexOf(g));
  return { shape: newShape, perm: newPerm };
}

function nextKept(keep: readonly boolean[], p: number): number {
  for (let q = p + 1; q < keep.length; q++) if (keep[q]) return q;
  return -1;
}
