import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { LayerSpectrum, RankAllocation, RankAllocator } from '../rank-allocator';
import { groupedProblemArb, permutationOf, problemArb } from './arbitraries';

/** Which of the documented promises beyond the core contract an allocator makes. */
export interface RankAllocatorConformanceOptions {
  /**
   * The ranks sum to exactly `min(budget, sum of maxRank)`, not just at most `budget` (every
   * built-in but `varianceThreshold` with `fillBudget: false`). Default `false`.
   */
  readonly fillsBudget?: boolean;
  /**
   * Each identical-input group's representative ends with the group's largest rank, as
   * `LayerSpectrum.group` documents. Default `true`; `false` for an allocator that ignores groups.
   */
  readonly groupRepresentatives?: boolean;
  /**
   * Invalid input (a NaN ratio, a fractional `maxRank`, a negative budget) throws an error with
   * code `E_RANK_ALLOCATOR_INVALID_INPUT` naming the layer or field, as `validateAllocatorInput`
   * does. Default `true`.
   */
  readonly validatesInput?: boolean;
  /** fast-check runs per property (default 100). */
  readonly numRuns?: number;
}

/**
 * Conformance suite of the `RankAllocator` plug point, for vitest: call it inside a `describe`
 * with the allocator; every implementation must pass it. It registers `it` cases that check, on
 * random inputs (fast-check: layers with tied and free ratios, code-unit-ordered names, groups):
 * one integer in `[0, maxRank]` per layer name, summing to at most `budget` (exactly
 * `min(budget, sum maxRank)` with `fillsBudget`); the same ranks for any input order and on a
 * second call; the input never mutated (it is frozen); the edges (no layers, budget 0, maxRank 0);
 * and the options' promises. Needs `vitest` and `fast-check` (optional peer dependencies).
 */
export function rankAllocatorConformance(
  allocator: RankAllocator,
  options: RankAllocatorConformanceOptions = {},
): void {
  const numRuns = options.numRuns ?? 100;

  it('returns one integer in [0, maxRank] per input name, summing to at most budget', () => {
    fc.assert(
      fc.property(problemArb, ([layers, budget]) => {
        const ranks = allocator.allocate(layers, budget);
        expectWellFormed(ranks, layers, budget);
        if (options.fillsBudget === true)
          expect(sum(Object.values(ranks))).toBe(Math.min(budget, sum(layers.map((l) => l.maxRank))));
      }),
      { numRuns },
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
      { numRuns },
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
      { numRuns },
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

  if (options.groupRepresentatives ?? true) {
    it("gives each group's representative the largest rank in its group", () => {
      fc.assert(
        fc.property(groupedProblemArb, ([layers, budget]) => {
          const ranks = allocator.allocate(layers, budget);
          for (const group of new Set(layers.map((l) => l.group))) {
            if (group === undefined) continue;
            const members = layers.filter((l) => l.group === group);
            // No member is marked, so the representative is the largest maxRank, then the lowest name (code units).
            const rep = [...members].sort((a, b) => b.maxRank - a.maxRank || (a.name < b.name ? -1 : 1))[0]!;
            expect(ranks[rep.name], `representative of ${group}`).toBe(Math.max(...members.map((m) => ranks[m.name]!)));
          }
        }),
        { numRuns },
      );
    });
  }

  if (options.validatesInput ?? true) {
    it('rejects invalid input with an INVALID_INPUT error naming the layer or field', () => {
      const cases: [readonly LayerSpectrum[], number, { layer?: string; field: string }][] = [
        [
          [{ name: 'h.0', explainedVarianceRatio: [Number.NaN], maxRank: 1 }],
          1,
          { layer: 'h.0', field: 'explainedVarianceRatio' },
        ],
        [[{ name: 'h.0', explainedVarianceRatio: [0.5], maxRank: 1.5 }], 1, { layer: 'h.0', field: 'maxRank' }],
        [[{ name: 'h.0', explainedVarianceRatio: [0.5], maxRank: 1 }], -3, { field: 'budget' }],
      ];
      for (const [layers, budget, where] of cases) {
        let thrown: unknown;
        try {
          allocator.allocate(layers, budget);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, `${where.field} of ${JSON.stringify(layers)}, budget ${budget}`).toMatchObject({
          code: 'E_RANK_ALLOCATOR_INVALID_INPUT',
          ...where,
        });
      }
    });
  }
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

function deepFreeze(layers: LayerSpectrum[]): readonly LayerSpectrum[] {
  for (const l of layers) {
    Object.freeze(l.explainedVarianceRatio);
    Object.freeze(l);
  }
  return Object.freeze(layers);
}

function sum(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
