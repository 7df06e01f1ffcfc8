import cdf from '@stdlib/stats-base-dists-t-cdf';
import quantile from '@stdlib/stats-base-dists-t-quantile';
import { CliError } from '../cli-error';

/**
 * The quantile function (inverse CDF) of Student's t distribution with `df` degrees of freedom:
 * the `t` with `P(T <= t) = p`. Used for the 95% interval of a paired difference over seeds
 * (`studentTQuantile(0.975, n - 1)`), as `scipy.stats.t.ppf(p, df)` or R's `qt(p, df)`.
 *
 * Computed by `@stdlib/stats-base-dists-t-quantile`; this wrapper only turns bad input into an error
 * instead of stdlib's `NaN`.
 *
 * @param p - probability in (0, 1).
 * @param df - degrees of freedom, a finite number > 0 (need not be an integer).
 * @throws {@link CliError} when `p` is outside (0, 1) or `df` is not a finite positive number.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new CliError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  checkDf('studentTQuantile', df);
  return quantile(p, df);
}

/**
 * `P(T <= t)` for Student's t with `df` degrees of freedom, as `scipy.stats.t.cdf(t, df)`; computed by
 * `@stdlib/stats-base-dists-t-cdf`.
 *
 * @param t - any number except NaN (infinities give 0 and 1).
 * @param df - degrees of freedom, a finite number > 0.
 * @throws {@link CliError} when `t` is NaN or `df` is not a finite positive number.
 */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t)) throw new CliError('studentTCdf: t must be a number, got NaN');
  checkDf('studentTCdf', df);
  return cdf(t, df);
}

function checkDf(name: string, df: number): void {
  if (!(Number.isFinite(df) && df > 0)) throw new CliError(`${name}: df must be a finite number > 0, got ${df}`);
}
