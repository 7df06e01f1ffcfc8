// The RankAllocator contract, run against every registered allocator (built-ins with their
// defaults and with options), plus a test-only user allocator registered the way a user would.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { LayerSpectrum, RankAllocation, RankAllocator } from './rank-allocator';
import { getRankAllocator, listRankAllocators, registerRankAllocator } from './rank-allocator-registry';
import { groupedProblemArb, permutationOf, problemArb, sum } from './test-helpers';
import { validateAllocatorInput } from './validate-allocator-input';

/**
 * Test-only user allocator: ranks proportional to the variance each layer could capture
 * (sum of its first maxRank ratios), floors first, the remainder by largest fractional part
 * then name, each capped by maxRank.
 */
const proportional: RankAllocator = {
  allocate(layers, budget) {
    validateAllocatorInput(layers, budget, { requireRatios: true });
    const weight = layers.map((l) => sum(Array.from(l.explainedVarianceRatio).slice(0, l.maxRank)));
    const total = sum([...weight].sort((a, b) => a - b)); // sorted: same float sum in any input order
    const share = layers.map((l, i) => (total > 0 ? Math.min(l.maxRank, (budget * weight[i]!) / total) : 0));
    const ranks = share.map(Math.floor);
    let left = Math.min(budget, sum(layers.map((l) => l.maxRank))) - sum(ranks);
    const order = layers
      .map((_l, i) => i)
      .sort((a, b) => share[b]! - ranks[b]! - (share[a]! - ranks[a]!) || (layers[a]!.name < layers[b]!.name ? -1 : 1));
    for (let pass = 0; left > 0 && pass < 10; pass++) {
      for (const i of order) {
        if (left > 0 && ranks[i]! < layers[i]!.maxRank) {
          ranks[i]! += 1;
          left -= 1;
        }
      }
    }
    return Object.fromEntries(layers.map((l, i) => [l.name, ranks[i]!]));
  },
};

const unregister = registerRankAllocator('testProportional', () => proportional);
afterAll(unregister);

const configured: [string, Record<string, unknown>][] = [
  ['varianceThreshold', { threshold: 0.5 }],
  ['varianceThreshold', { threshold: 1, fillBudget: false }],
];
const cases: [string, RankAllocator][] = [
  ...listRankAllocators().map((name): [string, RankAllocator] => [name, getRankAllocator(name)]),
  ...configured.map(([name, options]): [string, RankAllocator] => [
    `${name} ${JSON.stringify(options)}`,
    getRankAllocator(name, options),
  ]),
];

function deepFreeze(layers: LayerSpectrum[]): readonly LayerSpectrum[] {
  for (const l of layers) {
    Object.freeze(l.explainedVarianceRatio);
    Object.freeze(l);
  }
  return Object.freeze(layers);
}

function expectWellFormed(ranks: RankAllocation, layers: readonly LayerSpectrum[], budget: number): void {
  expect(Object.keys(ranks).sort()).toEqual(layers.map((l) => l.name).sort());
  for (const l of layers) {
    const rank = ranks[l.name]!;
    expect(Number.isInteger(rank) && rank >= 0, `${l.name}: ${rank}`).toBe(true);
    expect(rank).toBeLessThanOrEqual(l.maxRank);
  }
  expect(sum(Object.values(ranks))).toBeLessThanOrEqual(budget);
}

it('covers the built-ins and the test-only allocator', () => {
  expect(cases.map(([name]) => name)).toEqual(
    expect.arrayContaining(['explainedVariance', 'uniform', 'varianceThreshold', 'testProportional']),
  );
});

describe.each(cases)('RankAllocator conformance: %s', (_name, allocator) => {
  it('returns one non-negative integer <= maxRank per input name, summing to <= budget', () => {
    fc.assert(
      fc.property(problemArb, ([layers, budget]) =>
        expectWellFormed(allocator.allocate(layers, budget), layers, budget),
      ),
      { numRuns: 150 },
    );
  });

  it('does not depend on input order, is deterministic, and does not mutate its input', () => {
    fc.assert(
      fc.property(
        problemArb.chain(([layers, budget]) =>
          fc.tuple(fc.constant(layers), fc.constant(budget), permutationOf(layers)),
        ),
        ([layers, budget, shuffled]) => {
          const snapshot = structuredClone(layers);
          const ranks = allocator.allocate(deepFreeze(layers), budget);
          expect(layers).toEqual(snapshot);
          expect(allocator.allocate(layers, budget)).toEqual(ranks);
          expect(allocator.allocate(shuffled, budget)).toEqual(ranks);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps the contract with identical-input groups', () => {
    fc.assert(
      fc.property(
        groupedProblemArb.chain(([layers, budget]) =>
          fc.tuple(fc.constant(layers), fc.constant(budget), permutationOf(layers)),
        ),
        ([layers, budget, shuffled]) => {
          const ranks = allocator.allocate(layers, budget);
          expectWellFormed(ranks, layers, budget);
          expect(allocator.allocate(shuffled, budget)).toEqual(ranks);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('handles the edges: no layers, zero budget, zero maxRank', () => {
    expect(allocator.allocate([], 5)).toEqual({});
    const layers = [
      { name: 'a', explainedVarianceRatio: [0.6, 0.3], maxRank: 2 },
      { name: 'b', explainedVarianceRatio: [0.9], maxRank: 0 },
    ];
    expect(allocator.allocate(layers, 0)).toEqual({ a: 0, b: 0 });
    expect(allocator.allocate(layers, 5).b).toBe(0);
  });
});

describe.each(listRankAllocators().filter((n) => n !== 'testProportional'))('built-in %s', (name) => {
  it('gives each group representative the largest rank in its group', () => {
    const allocator = getRankAllocator(name);
    fc.assert(
      fc.property(groupedProblemArb, ([layers, budget]) => {
        const ranks = allocator.allocate(layers, budget);
        for (const group of ['g1', 'g2']) {
          const members = layers.filter((l) => l.group === group);
          if (members.length === 0) continue;
          // Default representative: largest maxRank, then lowest name in code-unit order.
          const rep = [...members].sort((a, b) => b.maxRank - a.maxRank || (a.name < b.name ? -1 : 1))[0]!;
          expect(ranks[rep.name]).toBe(Math.max(...members.map((m) => ranks[m.name]!)));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('rejects invalid input with an error naming the layer', () => {
    const allocator = getRankAllocator(name);
    expect(() => allocator.allocate([{ name: 'h.0', explainedVarianceRatio: [Number.NaN], maxRank: 1 }], 1)).toThrow(
      /layer "h\.0"/,
    );
    expect(() => allocator.allocate([{ name: 'h.0', explainedVarianceRatio: [0.5], maxRank: 1.5 }], 1)).toThrow(
      /maxRank/,
    );
    expect(() => allocator.allocate([{ name: 'h.0', explainedVarianceRatio: [0.5], maxRank: 1 }], -3)).toThrow(
      /budget/,
    );
  });
});
