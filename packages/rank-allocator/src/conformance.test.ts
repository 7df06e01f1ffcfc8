// The RankAllocator conformance suite (published as @peftjs/rank-allocator/testing), run against
// every registered allocator (built-ins with their defaults and with options), plus a test-only
// user allocator registered the way a user would.
import { afterAll, describe, expect, it } from 'vitest';
import { rankAllocatorConformance, type RankAllocatorConformanceOptions } from '@peftjs/rank-allocator/testing';
import type { RankAllocator } from './rank-allocator';
import { getRankAllocator, listRankAllocators, registerRankAllocator } from './rank-allocator-registry';
import { sum } from './reference-allocators.test-support';
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

/**
 * What each registered allocator promises beyond the core contract, by name (options in the
 * name's JSON). A new built-in runs with the defaults (groups and validation on) and no exact
 * budget, until it is listed here.
 */
const PROMISES: Record<string, RankAllocatorConformanceOptions> = {
  explainedVariance: { fillsBudget: true },
  uniform: { fillsBudget: true },
  varianceThreshold: { fillsBudget: true },
  'varianceThreshold {"threshold":0.5}': { fillsBudget: true },
  'varianceThreshold {"threshold":1,"fillBudget":false}': {},
  // Proportional shares ignore identical-input groups.
  testProportional: { fillsBudget: true, groupRepresentatives: false },
};

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

it('covers the built-ins and the test-only allocator', () => {
  expect(cases.map(([name]) => name)).toEqual(
    expect.arrayContaining(['explainedVariance', 'uniform', 'varianceThreshold', 'testProportional']),
  );
});

describe.each(cases)('RankAllocator conformance: %s', (name, allocator) => {
  rankAllocatorConformance(allocator, { numRuns: 150, ...PROMISES[name] });
});
