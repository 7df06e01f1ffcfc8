import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LayerSpectrum } from './rank-allocator';
import { sum } from './reference-allocators.test-support';
import { permutationOf, problemArb } from './testing/arbitraries';
import { createVarianceThresholdAllocator } from './variance-threshold-allocator';

/** Reference ask: smallest m with a cumulative ratio >= threshold (1e-12 slack, as documented), by explicit prefix sums. */
function ask(l: LayerSpectrum, threshold: number): number {
  for (let m = 1; m <= l.maxRank; m++) {
    if (sum(Array.from(l.explainedVarianceRatio).slice(0, m)) >= threshold - 1e-12) return m;
  }
  return l.maxRank;
}

const layers: LayerSpectrum[] = [
  // cumulative 0.6, 0.9, 0.95 -> asks 2 at threshold 0.9
  { name: 'steep', explainedVarianceRatio: [0.6, 0.3, 0.05, 0.05], maxRank: 4 },
  // cumulative 0.25, 0.5, 0.75, 1.0 -> asks 4
  { name: 'flat', explainedVarianceRatio: [0.25, 0.25, 0.25, 0.25], maxRank: 4 },
  // cumulative 0.95 -> asks 1
  { name: 'spike', explainedVarianceRatio: [0.95, 0.02, 0.02, 0.01], maxRank: 4 },
];

describe('varianceThreshold allocator', () => {
  const threshold90 = createVarianceThresholdAllocator({ threshold: 0.9 });

  it('gives each layer the rank reaching the threshold when the budget equals the asks', () => {
    expect(threshold90.allocate(layers, 7)).toEqual({ steep: 2, flat: 4, spike: 1 });
  });

  it('trims the asked-for components with the smallest ratios when over budget', () => {
    // Asked-for candidates by ratio: spike .95, steep .6, steep .3, flat .25 x4 (j order) -> budget 5 keeps
    // spike 1, steep 2, flat 2.
    expect(threshold90.allocate(layers, 5)).toEqual({ steep: 2, flat: 2, spike: 1 });
  });

  it('spends leftover budget on the largest components nobody asked for', () => {
    // Not asked: steep .05 (j2), steep .05 (j3), spike .02 (j1), ... -> budget 9 adds steep j2 and j3.
    expect(threshold90.allocate(layers, 9)).toEqual({ steep: 4, flat: 4, spike: 1 });
    expect(createVarianceThresholdAllocator({ threshold: 0.9, fillBudget: false }).allocate(layers, 9)).toEqual({
      steep: 2,
      flat: 4,
      spike: 1,
    });
  });

  it('properties: caps, sums, asks honoured, order-independent', () => {
    fc.assert(
      fc.property(
        problemArb.chain(([ls, budget]) =>
          fc.tuple(
            fc.constant(ls),
            fc.constant(budget),
            permutationOf(ls),
            fc.double({ min: 0.05, max: 1, noNaN: true }),
            fc.boolean(),
          ),
        ),
        ([ls, budget, shuffled, threshold, fillBudget]) => {
          const allocator = createVarianceThresholdAllocator({ threshold, fillBudget });
          const ranks = allocator.allocate(ls, budget);
          const asks = ls.map((l) => ask(l, threshold));
          const cap = fillBudget ? sum(ls.map((l) => l.maxRank)) : sum(asks);
          expect(sum(Object.values(ranks))).toBe(Math.min(budget, cap));
          ls.forEach((l, i) => {
            expect(ranks[l.name]).toBeLessThanOrEqual(l.maxRank);
            if (budget >= sum(asks)) expect(ranks[l.name]).toBeGreaterThanOrEqual(asks[i]!);
            else expect(ranks[l.name]).toBeLessThanOrEqual(asks[i]!);
          });
          expect(allocator.allocate(shuffled, budget)).toEqual(ranks);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('validates its options', () => {
    expect(() => createVarianceThresholdAllocator({ threshold: 0 })).toThrow(
      /threshold must be a number in \(0, 1\], got 0/,
    );
    expect(() => createVarianceThresholdAllocator({ threshold: Number.NaN })).toThrow(/threshold/);
    expect(() => createVarianceThresholdAllocator({ threshold: 1.5 })).toThrow(/threshold/);
    expect(() => createVarianceThresholdAllocator({ treshold: 0.9 } as never)).toThrow(
      /no option "treshold"; accepted options: threshold, fillBudget/,
    );
  });
});
