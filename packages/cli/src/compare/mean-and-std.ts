/** Mean and sample standard deviation (`n - 1` in the denominator, numpy's `std(ddof=1)`); std is 0 for one value. */
export interface MeanAndStd {
  /** Arithmetic mean; `NaN` for no values. */
  readonly mean: number;
  /** Sample standard deviation (`ddof=1`); 0 for one value, `NaN` for none. */
  readonly std: number;
  /** Number of values. */
  readonly n: number;
}

/**
 * The mean and sample standard deviation of `values` (as `numpy.mean` and `numpy.std(ddof=1)`),
 * computed around the mean in two passes for accuracy. An empty list gives `NaN`s and `n = 0`;
 * a single value has std 0.
 */
export function meanAndStd(values: readonly number[]): MeanAndStd {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const squares = values.reduce((a, v) => a + (v - mean) * (v - mean), 0);
  return { mean, std: Math.sqrt(squares / (n - 1)), n };
}
