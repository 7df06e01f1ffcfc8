import { CliError } from '../cli-error';

/**
 * The quantile function (inverse CDF) of Student's t distribution with `df` degrees of freedom:
 * the `t` with `P(T <= t) = p`. Used for the 95% interval of a paired difference over seeds
 * (`studentTQuantile(0.975, n - 1)`), as `scipy.stats.t.ppf(p, df)` or R's `qt(p, df)`.
 *
 * Method: the CDF is `1 - I_x(df/2, 1/2) / 2` for `t > 0` with `x = df / (df + t^2)` (Abramowitz &
 * Stegun 26.7.1 via 26.5.27), the regularized incomplete beta `I_x` is evaluated by its continued
 * fraction (Numerical Recipes 6.4, modified Lentz), and the CDF is inverted by bisection to about
 * 1e-12 absolute; symmetric for `p < 0.5`.
 *
 * @param p - probability in (0, 1).
 * @param df - degrees of freedom, a finite number > 0 (need not be an integer).
 * @throws {@link CliError} when `p` is outside (0, 1) or `df` is not a finite positive number.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new CliError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (!(Number.isFinite(df) && df > 0))
    throw new CliError(`studentTQuantile: df must be a finite number > 0, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  let lo = 0;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** `P(T <= t)` for Student's t with `df` degrees of freedom (A&S 26.7.1). */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** `I_x(a, b)`, Numerical Recipes 6.4 (`betai`): continued fraction on the side where it converges fast. */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(x, a, b)) / a
    : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Modified Lentz evaluation of the continued fraction of `I_x(a, b)` (NR `betacf`). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + even * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + even / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + odd * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + odd / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** `ln Γ(z)` for `z > 0` by the Lanczos approximation (g = 7, 9 terms; ~1e-15 relative). */
function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
  const g = 7;
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const zm = z - 1;
  let sum = coefficients[0] as number;
  for (let i = 1; i < g + 2; i++) sum += (coefficients[i] as number) / (zm + i);
  const t = zm + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (zm + 0.5) * Math.log(t) - t + Math.log(sum);
}
