import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LayerSpectrum } from './rank-allocator';
import { greedyUniform, sum } from './reference-allocators.test-support';
import { permutationOf, problemArb } from './testing/arbitraries';
import { createUniformAllocator } from './uniform-allocator';

const uniform = createUniformAllocator();
const layer = (name: string, maxRank: number): LayerSpectrum => ({ name, explainedVarianceRatio: [], maxRank });

describe('uniform allocator', () => {
  it('splits evenly, remainder one each to the lowest names', () => {
    const layers = [layer('c', 9), layer('a', 9), layer('b', 9)];
    expect(uniform.allocate(layers, 12)).toEqual({ a: 4, b: 4, c: 4 });
    expect(uniform.allocate(layers, 14)).toEqual({ a: 5, b: 5, c: 4 });
    expect(uniform.allocate(layers, 2)).toEqual({ a: 1, b: 1, c: 0 });
  });

  it('fills capped layers to their cap and shares the rest among the others', () => {
    // Budget 12 over caps (1, 9, 9): "x" is capped at 1; 11 left over two layers -> 6 and 5.
    expect(uniform.allocate([layer('x', 1), layer('y', 9), layer('z', 9)], 12)).toEqual({ x: 1, y: 6, z: 5 });
    expect(uniform.allocate([layer('x', 1), layer('y', 2)], 10)).toEqual({ x: 1, y: 2 });
  });

  it('gives r everywhere for budget = N * r when every maxRank >= r', () => {
    fc.assert(
      fc.property(problemArb, fc.integer({ min: 0, max: 6 }), ([layers], r) => {
        const roomy = layers.map((l) => ({ ...l, maxRank: l.maxRank + r }));
        expect(uniform.allocate(roomy, layers.length * r)).toEqual(Object.fromEntries(layers.map((l) => [l.name, r])));
      }),
    );
  });

  it('matches a one-unit-at-a-time reference, sums to min(budget, sum maxRank), order-independent', () => {
    fc.assert(
      fc.property(
        problemArb.chain(([layers, budget]) =>
          fc.tuple(fc.constant(layers), fc.constant(budget), permutationOf(layers)),
        ),
        ([layers, budget, shuffled]) => {
          const ranks = uniform.allocate(layers, budget);
          expect(ranks).toEqual(greedyUniform(layers, budget));
          expect(sum(Object.values(ranks))).toBe(Math.min(budget, sum(layers.map((l) => l.maxRank))));
          expect(uniform.allocate(shuffled, budget)).toEqual(ranks);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('puts the largest rank of a group on its representative', () => {
    const layers: LayerSpectrum[] = [
      { ...layer('a', 4), group: 'g' },
      { ...layer('b', 4), group: 'g', representative: true },
      layer('c', 4),
    ];
    // Even split of 4 over 3: a 2, b 1, c 1; b represents the group, so a and b swap.
    expect(uniform.allocate(layers, 4)).toEqual({ a: 1, b: 2, c: 1 });
  });

  it('takes no options', () => {
    expect(() => createUniformAllocator({ rank: 8 })).toThrow(/"uniform" has no option "rank"; it takes no options/);
  });
});
