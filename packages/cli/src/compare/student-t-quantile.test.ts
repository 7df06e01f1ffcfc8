import { describe, expect, it } from 'vitest';
import { studentTCdf, studentTQuantile } from './student-t-quantile';

// Reference: scipy.stats.t.ppf(p, df) (scipy 1.17.1), which agree with the printed two-sided 95%
// table (12.706, 4.303, 3.182, 2.776, 2.571, 2.262, 2.228, 2.045, 2.042, 1.984) to its 3 decimals.
const REFERENCE: readonly [p: number, df: number, t: number][] = [
  [0.975, 1, 12.706204736174694],
  [0.975, 2, 4.302652729749462],
  [0.975, 3, 3.1824463052837078],
  [0.975, 4, 2.7764451051977934],
  [0.975, 5, 2.5705818356363146],
  [0.975, 9, 2.262157162798205],
  [0.975, 10, 2.228138851986274],
  [0.975, 29, 2.045229642132703],
  [0.975, 30, 2.0422724563012378],
  [0.975, 100, 1.9839715185235518],
  [0.95, 1, 6.313751514675037],
  [0.95, 5, 2.0150483733330233],
  [0.95, 10, 1.8124611228116756],
  [0.995, 3, 5.840909309733355],
  [0.025, 4, -2.7764451051977943],
  [0.975, 2.5, 3.5746548420036817],
];

describe('studentTQuantile', () => {
  it.each(REFERENCE)('t.ppf(%s, df=%s) = %s within 1e-9', (p, df, t) => {
    expect(Math.abs(studentTQuantile(p, df) - t)).toBeLessThan(1e-9);
  });

  it('inverts the CDF and has closed forms at df = 1 (Cauchy) and df = 2', () => {
    // df = 1: t = tan(pi (p - 1/2)); df = 2: t = (2p - 1) sqrt(2 / (4 p (1 - p))).
    for (const p of [0.6, 0.9, 0.99]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 9);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) * Math.sqrt(2 / (4 * p * (1 - p))), 9);
      expect(studentTCdf(studentTQuantile(p, 7), 7)).toBeCloseTo(p, 12);
    }
    expect(studentTQuantile(0.5, 3)).toBe(0);
  });

  it('rejects p outside (0, 1) and df <= 0 with a message naming the argument', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(/p must be in \(0, 1\)/);
    expect(() => studentTQuantile(0.9, 0)).toThrow(/df must be a finite number > 0/);
    expect(() => studentTCdf(Number.NaN, 3)).toThrow(/t must be a number/);
    expect(() => studentTCdf(1, Number.POSITIVE_INFINITY)).toThrow(/df must be a finite number > 0/);
  });
});
