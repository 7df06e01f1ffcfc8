/**
 * Float64 running column statistics (tfjs has no float64 tensors, so these live in JS).
 * `updateMeanAndVarianceFromMoments` is sklearn's `utils.extmath._incremental_mean_and_var`, step for step;
 * `combineMeanAndVariance` is Chan, Golub & LeVeque's parallel formula for merging two states.
 */
export interface ColumnStats {
  readonly mean: Float64Array;
  /** Population variance (divided by the count), as sklearn's `var_`. */
  readonly variance: Float64Array;
  readonly count: number;
}

/**
 * One batch's column moments about its own mean `T = sum / rows` (float64), as sklearn's
 * `_incremental_mean_and_var` forms them: `sum`, `correction = sum(X - T)` and `squares = sum((X - T)^2)`.
 */
export interface BatchMoments {
  readonly rows: number;
  readonly sum: Float64Array;
  readonly correction: Float64Array;
  readonly squares: Float64Array;
  /** `sum(squares)`: the squared Frobenius norm of the centred batch. */
  readonly centredSquaredNorm: number;
}

/**
 * Two passes over a row-major float32 batch `[rows, cols]`: column sums, then the moments about the
 * batch mean, while writing the centred rows `X - T` (float64 difference rounded once to float32)
 * into `out` at `offset`: the middle block of IncrementalPCA's stacked matrix, so the batch is read
 * only twice per update. Rows are taken four at a time, so each float64 accumulator is read and
 * written once per four entries. Returns null when a column sum is not finite (NaN or Infinity).
 */
export function centreBatch(
  data: Float32Array,
  rows: number,
  cols: number,
  out: Float32Array,
  offset = 0,
): BatchMoments | null {
  const sum = new Float64Array(cols);
  const whole = rows - (rows % 4);
  for (let i = 0; i < whole; i += 4) {
    const r0 = i * cols;
    const r1 = r0 + cols;
    const r2 = r1 + cols;
    const r3 = r2 + cols;
    for (let j = 0; j < cols; j++) {
      sum[j] =
        (sum[j] as number) +
        ((data[r0 + j] as number) + (data[r1 + j] as number) + ((data[r2 + j] as number) + (data[r3 + j] as number)));
    }
  }
  for (let i = whole; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) sum[j] = (sum[j] as number) + (data[row + j] as number);
  }
  for (let j = 0; j < cols; j++) if (!Number.isFinite(sum[j] as number)) return null;
  const mean = new Float64Array(cols);
  for (let j = 0; j < cols; j++) mean[j] = (sum[j] as number) / rows;
  const correction = new Float64Array(cols);
  const squares = new Float64Array(cols);
  for (let i = 0; i < whole; i += 4) {
    const r0 = i * cols;
    const r1 = r0 + cols;
    const r2 = r1 + cols;
    const r3 = r2 + cols;
    const o = offset + r0;
    for (let j = 0; j < cols; j++) {
      const mu = mean[j] as number;
      const t0 = (data[r0 + j] as number) - mu;
      const t1 = (data[r1 + j] as number) - mu;
      const t2 = (data[r2 + j] as number) - mu;
      const t3 = (data[r3 + j] as number) - mu;
      out[o + j] = t0;
      out[o + cols + j] = t1;
      out[o + 2 * cols + j] = t2;
      out[o + 3 * cols + j] = t3;
      correction[j] = (correction[j] as number) + (t0 + t1 + (t2 + t3));
      squares[j] = (squares[j] as number) + (t0 * t0 + t1 * t1 + (t2 * t2 + t3 * t3));
    }
  }
  for (let i = whole; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) {
      const t = (data[row + j] as number) - (mean[j] as number);
      correction[j] = (correction[j] as number) + t;
      squares[j] = (squares[j] as number) + t * t;
      out[offset + row + j] = t;
    }
  }
  let centredSquaredNorm = 0;
  for (let j = 0; j < cols; j++) centredSquaredNorm += squares[j] as number;
  return { rows, sum, correction, squares, centredSquaredNorm };
}

/** sklearn `_incremental_mean_and_var`, step for step, from a batch's {@link BatchMoments}. */
export function updateMeanAndVarianceFromMoments(last: ColumnStats | null, moments: BatchMoments): ColumnStats {
  const { rows, sum: newSum, correction, squares } = moments;
  const cols = newSum.length;
  const lastCount = last?.count ?? 0;
  // new_unnormalized_variance = sum((X - T)^2) - sum(X - T)^2 / n, with T = new_sum / n
  const count = lastCount + rows;
  const mean = new Float64Array(cols);
  const variance = new Float64Array(cols);
  const lastOverNew = lastCount / rows;
  for (let j = 0; j < cols; j++) {
    const newUnnormalized = (squares[j] as number) - (correction[j] as number) ** 2 / rows;
    const lastSum = last === null ? 0 : (last.mean[j] as number) * lastCount;
    mean[j] = (lastSum + (newSum[j] as number)) / count;
    let unnormalized = newUnnormalized;
    if (last !== null && lastCount > 0) {
      unnormalized =
        (last.variance[j] as number) * lastCount +
        newUnnormalized +
        (lastOverNew / count) * (lastSum / lastOverNew - (newSum[j] as number)) ** 2;
    }
    variance[j] = unnormalized / count;
  }
  return { mean, variance, count };
}

/** Statistics of the union of two disjoint row sets (Chan et al. 1979, pairwise update). */
export function combineMeanAndVariance(a: ColumnStats, b: ColumnStats): ColumnStats {
  const cols = a.mean.length;
  const count = a.count + b.count;
  const mean = new Float64Array(cols);
  const variance = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    const delta = (b.mean[j] as number) - (a.mean[j] as number);
    mean[j] = (a.mean[j] as number) + (delta * b.count) / count;
    const m2 =
      (a.variance[j] as number) * a.count +
      (b.variance[j] as number) * b.count +
      (delta * delta * a.count * b.count) / count;
    variance[j] = m2 / count;
  }
  return { mean, variance, count };
}
