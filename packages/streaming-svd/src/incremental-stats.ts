/**
 * Float64 running column statistics (tfjs has no float64 tensors, so these live in JS).
 * `updateMeanAndVariance` is sklearn's `utils.extmath._incremental_mean_and_var`, step for step;
 * `combineMeanAndVariance` is Chan, Golub & LeVeque's parallel formula for merging two states.
 */
export interface ColumnStats {
  readonly mean: Float64Array;
  /** Population variance (divided by the count), as sklearn's `var_`. */
  readonly variance: Float64Array;
  readonly count: number;
}

/** Column means of one batch in float64. */
export function batchMean(data: Float32Array, rows: number, cols: number): Float64Array {
  const sum = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    for (let j = 0; j < cols; j++) sum[j] = (sum[j] as number) + (data[offset + j] as number);
  }
  for (let j = 0; j < cols; j++) sum[j] = (sum[j] as number) / rows;
  return sum;
}

/** sklearn `_incremental_mean_and_var(X, last_mean, last_variance, last_sample_count)`. */
export function updateMeanAndVariance(last: ColumnStats | null, data: Float32Array, rows: number, cols: number): ColumnStats {
  const lastCount = last?.count ?? 0;
  const newSum = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    for (let j = 0; j < cols; j++) newSum[j] = (newSum[j] as number) + (data[offset + j] as number);
  }
  // new_unnormalized_variance = sum((X - T)^2) - sum(X - T)^2 / n, with T = new_sum / n
  const correction = new Float64Array(cols);
  const squares = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    for (let j = 0; j < cols; j++) {
      const t = (data[offset + j] as number) - (newSum[j] as number) / rows;
      correction[j] = (correction[j] as number) + t;
      squares[j] = (squares[j] as number) + t * t;
    }
  }
  const count = lastCount + rows;
  const mean = new Float64Array(cols);
  const variance = new Float64Array(cols);
  const lastOverNew = lastCount / rows;
  for (let j = 0; j < cols; j++) {
    const newUnnormalized = (squares[j] as number) - ((correction[j] as number) ** 2) / rows;
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
    const m2 = (a.variance[j] as number) * a.count + (b.variance[j] as number) * b.count + (delta * delta * a.count * b.count) / count;
    variance[j] = m2 / count;
  }
  return { mean, variance, count };
}
