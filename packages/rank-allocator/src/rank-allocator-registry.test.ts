import { describe, expect, it } from 'vitest';
import { getRankAllocator, listRankAllocators, registerRankAllocator } from './rank-allocator-registry';
import type { RankAllocator } from './rank-allocator';

const constantAllocator: RankAllocator = {
  allocate: (layers) => Object.fromEntries(layers.map((l) => [l.name, 0])),
};

describe('rank allocator registry', () => {
  it('lists the built-ins, sorted', () => {
    expect(listRankAllocators()).toEqual(['explainedVariance', 'uniform', 'varianceThreshold']);
  });

  it('builds a registered allocator with its options', () => {
    const layers = [{ name: 'a', explainedVarianceRatio: [0.5, 0.45, 0.05], maxRank: 3 }];
    expect(getRankAllocator('varianceThreshold', { threshold: 0.5, fillBudget: false }).allocate(layers, 3)).toEqual({
      a: 1,
    });
    expect(getRankAllocator('varianceThreshold').allocate(layers, 3)).toEqual({ a: 3 });
    expect(() => getRankAllocator('explainedVariance', { rho: 2 })).toThrow(/"explainedVariance" has no option "rho"/);
  });

  it('names the registered allocators when the name is unknown', () => {
    expect(() => getRankAllocator('evaa')).toThrow(
      'Unknown rank allocator "evaa"; registered: explainedVariance, uniform, varianceThreshold. ' +
        'Register your own with registerRankAllocator(name, factory).',
    );
  });

  it('registers, refuses duplicates, and unregisters', () => {
    const unregister = registerRankAllocator('zero', () => constantAllocator);
    expect(listRankAllocators()).toContain('zero');
    expect(getRankAllocator('zero')).toBe(constantAllocator);
    expect(() => registerRankAllocator('zero', () => constantAllocator)).toThrow(/"zero" is already registered/);
    expect(() => registerRankAllocator('uniform', () => constantAllocator)).toThrow(
      /"uniform" is a built-in rank allocator and cannot be replaced/,
    );
    unregister();
    expect(listRankAllocators()).not.toContain('zero');
    expect(() => getRankAllocator('zero')).toThrow(/Unknown rank allocator "zero"/);
  });

  it('rejects a bad name or factory', () => {
    expect(() => registerRankAllocator('', () => constantAllocator)).toThrow(/non-empty string/);
    expect(() => registerRankAllocator('x', {} as never)).toThrow(/factory must be a function/);
  });
});
