import { describe, expect, it } from 'vitest';
import { meanAndStd } from './mean-and-std';
import { pairedComparison } from './paired-comparison';

describe('meanAndStd', () => {
  it('matches hand arithmetic: [1, 2, 4] has mean 7/3 and sample variance 7/3', () => {
    // deviations -4/3, -1/3, 5/3; squares 16/9 + 1/9 + 25/9 = 42/9; / (n-1 = 2) = 7/3.
    const s = meanAndStd([1, 2, 4]);
    expect(s.mean).toBeCloseTo(7 / 3, 14);
    expect(s.std).toBeCloseTo(Math.sqrt(7 / 3), 14);
    expect(s.n).toBe(3);
  });
  it('gives std 0 for one value and NaN for none', () => {
    expect(meanAndStd([5])).toEqual({ mean: 5, std: 0, n: 1 });
    expect(Number.isNaN(meanAndStd([]).mean)).toBe(true);
  });
});

describe('pairedComparison', () => {
  it('matches a hand-computed paired t-interval with n = 3', () => {
    // a - b = [0.1, 0.3, 0.2]: mean 0.2, s = 0.1, t_{0.975,2} = 4.302652729749462 (printed table: 4.303),
    // half width 4.302652729749462 * 0.1 / sqrt(3) = 0.2484137712, interval [-0.0484138, 0.4484138];
    // scipy.stats.ttest_rel(a, b).confidence_interval(0.95) gives (-0.0484137711750329, 0.448413771175033).
    const c = pairedComparison([1.1, 1.5, 1.7], [1.0, 1.2, 1.5]);
    expect(c.n).toBe(3);
    expect(c.meanDifference).toBeCloseTo(0.2, 12);
    expect(c.stdDifference).toBeCloseTo(0.1, 12);
    expect(c.tQuantile as number).toBeCloseTo(4.302652729749462, 9);
    expect(c.low as number).toBeCloseTo(-0.0484137711750329, 9);
    expect(c.high as number).toBeCloseTo(0.448413771175033, 9);
  });
  it('matches a hand-computed interval with n = 5 (t_{0.975,4} = 2.7764451)', () => {
    // d = [-1, 0, 1, 2, 3]: mean 1, s^2 = (4+1+0+1+4)/4 = 2.5, half = 2.7764451051977934 * sqrt(2.5/5) = 1.96324...
    const c = pairedComparison([0, 1, 2, 3, 4], [1, 1, 1, 1, 1]);
    expect(c.meanDifference).toBeCloseTo(1, 12);
    expect(c.high as number).toBeCloseTo(1 + 2.7764451051977934 * Math.sqrt(0.5), 9);
    expect(c.low as number).toBeCloseTo(1 - 2.7764451051977934 * Math.sqrt(0.5), 9);
    // scipy.stats.ttest_rel: (-0.9632431614775572, 2.963243161477557).
    expect(c.low as number).toBeCloseTo(-0.9632431614775572, 9);
    expect(c.high as number).toBeCloseTo(2.963243161477557, 9);
  });
  it('has no interval for one pair and rejects mismatched lists', () => {
    const c = pairedComparison([2], [1]);
    expect(c.meanDifference).toBe(1);
    expect(c.low).toBeNull();
    expect(() => pairedComparison([1, 2], [1])).toThrow(/equally long/);
  });
});
