import { meanAndStd } from './mean-and-std';
import { studentTQuantile } from './student-t-quantile';
import { CliError } from '../cli-error';

/** A paired difference over seeds: `method - baseline`, seed by seed. */
export interface PairedComparison {
  /** Number of pairs (seeds both sides ran). */
  readonly n: number;
  /** Mean of the per-seed differences `method - baseline`, in the metric's unit. */
  readonly meanDifference: number;
  /** Sample standard deviation of the differences (`n - 1`). */
  readonly stdDifference: number;
  /** Confidence level of the interval (0.95). */
  readonly level: number;
  /** `t_{(1+level)/2, n-1}`; null when `n < 2`. */
  readonly tQuantile: number | null;
  /** The interval `mean ± t * std / sqrt(n)`; null when `n < 2` (no spread to estimate). */
  readonly low: number | null;
  /** Upper end of that interval; null when `n < 2`. */
  readonly high: number | null;
}

/**
 * The paired t-interval for the mean difference `a[i] - b[i]` (pairs share a seed): mean
 * `d̄`, interval `d̄ ± t_{(1+level)/2, n-1} · s_d / sqrt(n)` (the one-sample t-interval on the
 * differences, as `scipy.stats.ttest_rel(a, b).confidence_interval(level)`).
 *
 * @param a - the method's metric per seed.
 * @param b - the baseline's metric for the same seeds, same order.
 * @param level - confidence level in (0, 1), default 0.95.
 * @throws {@link CliError} when the lists differ in length or are empty.
 */
export function pairedComparison(a: readonly number[], b: readonly number[], level = 0.95): PairedComparison {
  if (a.length !== b.length || a.length === 0)
    throw new CliError(
      `pairedComparison: needs two equally long, non-empty lists of per-seed values, got ${a.length} and ${b.length}`,
    );
  const differences = a.map((v, i) => v - (b[i] as number));
  const { mean, std, n } = meanAndStd(differences);
  if (n < 2) return { n, meanDifference: mean, stdDifference: std, level, tQuantile: null, low: null, high: null };
  const t = studentTQuantile((1 + level) / 2, n - 1);
  const half = (t * std) / Math.sqrt(n);
  return { n, meanDifference: mean, stdDifference: std, level, tQuantile: t, low: mean - half, high: mean + half };
}
