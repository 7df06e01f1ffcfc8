import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createExplainedVarianceAllocator } from './explained-variance-allocator';
import type { LayerSpectrum } from './rank-allocator';
import { greedyExplainedVariance, sum } from './reference-allocators.test-support';
import { permutationOf, problemArb } from './testing/arbitraries';

const eva = createExplainedVarianceAllocator();

describe('explainedVariance allocator', () => {
  it('matches a one-unit-at-a-time greedy reference', () => {
    fc.assert(
      fc.property(problemArb, ([layers, budget]) => {
        expect(eva.allocate(layers, budget)).toEqual(greedyExplainedVariance(layers, budget));
      }),
      { numRuns: 300 },
    );
  });

  it('sums to min(budget, sum maxRank) and never exceeds maxRank', () => {
    fc.assert(
      fc.property(problemArb, ([layers, budget]) => {
        const ranks = eva.allocate(layers, budget);
        expect(sum(Object.values(ranks))).toBe(Math.min(budget, sum(layers.map((l) => l.maxRank))));
        for (const l of layers) {
          expect(Number.isInteger(ranks[l.name])).toBe(true);
          expect(ranks[l.name]).toBeGreaterThanOrEqual(0);
          expect(ranks[l.name]).toBeLessThanOrEqual(l.maxRank);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('with rho = 1 (maxRank = r everywhere, budget = N * r) gives r everywhere', () => {
    fc.assert(
      fc.property(problemArb, fc.integer({ min: 1, max: 6 }), ([layers], r) => {
        const uniform = layers.map((l) => ({
          ...l,
          maxRank: r,
          explainedVarianceRatio: padTo(l.explainedVarianceRatio, r),
        }));
        const ranks = eva.allocate(uniform, layers.length * r);
        expect(ranks).toEqual(Object.fromEntries(layers.map((l) => [l.name, r])));
      }),
    );
  });

  it('does not depend on input order and is deterministic', () => {
    fc.assert(
      fc.property(
        problemArb.chain(([layers, budget]) =>
          fc.tuple(fc.constant(layers), fc.constant(budget), permutationOf(layers)),
        ),
        ([layers, budget, shuffled]) => {
          const first = eva.allocate(layers, budget);
          expect(eva.allocate(shuffled, budget)).toEqual(first);
          expect(eva.allocate(layers, budget)).toEqual(first);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('takes the largest ratios across layers (EVA-SPEC step 4, worked example)', () => {
    // Candidates sorted: a0 .5, b0 .4, a1 .2, b1 .15, c0 .1, a2 .05, ... ; budget 4 takes a0 b0 a1 b1.
    const layers: LayerSpectrum[] = [
      { name: 'a', explainedVarianceRatio: [0.5, 0.2, 0.05], maxRank: 3 },
      { name: 'b', explainedVarianceRatio: [0.4, 0.15, 0.01], maxRank: 3 },
      { name: 'c', explainedVarianceRatio: [0.1, 0.09, 0.08], maxRank: 3 },
    ];
    expect(eva.allocate(layers, 4)).toEqual({ a: 2, b: 2, c: 0 });
    expect(eva.allocate(layers, 5)).toEqual({ a: 2, b: 2, c: 1 });
    // maxRank cuts candidates: a's third component is not a candidate.
    expect(eva.allocate([{ ...layers[0]!, maxRank: 1 }, layers[1]!, layers[2]!], 4)).toEqual({ a: 1, b: 2, c: 1 });
  });

  it('breaks ties by lower component index, then layer name in code-unit order', () => {
    const flat = (name: string): LayerSpectrum => ({ name, explainedVarianceRatio: [0.1, 0.1, 0.1], maxRank: 3 });
    // All ratios equal: j = 0 for every layer first, then j = 1 by name ("B" < "a" < "b" in code units).
    expect(eva.allocate([flat('b'), flat('a'), flat('B')], 4)).toEqual({ B: 2, a: 1, b: 1 });
    expect(eva.allocate([flat('b'), flat('a'), flat('B')], 5)).toEqual({ B: 2, a: 2, b: 1 });
    // Equal ratio at different indices: the lower index wins even for a later name.
    const layers: LayerSpectrum[] = [
      { name: 'x', explainedVarianceRatio: [0.5, 0.3], maxRank: 2 },
      { name: 'y', explainedVarianceRatio: [0.3, 0.1], maxRank: 2 },
    ];
    expect(eva.allocate(layers, 2)).toEqual({ x: 1, y: 1 });
  });

  it('puts the largest rank of an identical-input group on its representative', () => {
    const shared = [0.3, 0.3, 0.3, 0.01];
    const layers: LayerSpectrum[] = [
      { name: 'attn.q', explainedVarianceRatio: shared, maxRank: 4, group: 'qkv' },
      { name: 'attn.k', explainedVarianceRatio: shared, maxRank: 4, group: 'qkv' },
      { name: 'attn.v', explainedVarianceRatio: shared, maxRank: 4, group: 'qkv', representative: true },
      { name: 'mlp', explainedVarianceRatio: [0.2, 0.2, 0.2, 0.2], maxRank: 4 },
    ];
    // Without the group: j-ties at ratio 0.3 go by name: k(0), q(0), v(0), k(1), q(1) -> k 2, q 2, v 1.
    const ungrouped = layers.map(({ group: _g, representative: _r, ...rest }) => rest);
    expect(eva.allocate(ungrouped, 5)).toEqual({ 'attn.q': 2, 'attn.k': 2, 'attn.v': 1, mlp: 0 });
    // With it, v (representative) swaps with k, the lowest-named member holding the maximum.
    expect(eva.allocate(layers, 5)).toEqual({ 'attn.q': 2, 'attn.k': 1, 'attn.v': 2, mlp: 0 });
    // No mark: the representative is the lowest name among the largest maxRank, here attn.k.
    const unmarked = layers.map((l) => ({ ...l, representative: undefined }));
    expect(eva.allocate(unmarked, 5)).toEqual({ 'attn.q': 2, 'attn.k': 2, 'attn.v': 1, mlp: 0 });
  });

  it('groups: the representative holds the maximum, ranks are a permutation of the ungrouped ones', () => {
    const arb = fc
      .tuple(
        fc.array(
          fc.integer({ min: 0, max: 4 }).map((v) => v / 10),
          { minLength: 5, maxLength: 5 },
        ),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.array(
          fc.integer({ min: 0, max: 4 }).map((v) => v / 10),
          { minLength: 5, maxLength: 5 },
        ),
        fc.integer({ min: 0, max: 14 }),
      )
      .map(([g, maxRanks, rep, other, budget]) => {
        const shared = g.sort((a, b) => b - a);
        const top = Math.max(...maxRanks);
        const repIndex = maxRanks.indexOf(top) === rep || maxRanks[rep] === top ? rep : maxRanks.indexOf(top);
        const layers: LayerSpectrum[] = ['m.z', 'm.a', 'm.k'].map((name, i) => ({
          name,
          explainedVarianceRatio: shared,
          maxRank: maxRanks[i]!,
          group: 'g',
          ...(i === repIndex ? { representative: true } : {}),
        }));
        layers.push({ name: 'other', explainedVarianceRatio: other.sort((a, b) => b - a), maxRank: 5 });
        return { layers, budget, repName: layers[repIndex]!.name };
      });
    fc.assert(
      fc.property(arb, ({ layers, budget, repName }) => {
        const ranks = eva.allocate(layers, budget);
        const plain = greedyExplainedVariance(layers, budget);
        const members = ['m.z', 'm.a', 'm.k'];
        expect(ranks[repName]).toBe(Math.max(...members.map((n) => ranks[n]!)));
        expect(members.map((n) => ranks[n]).sort()).toEqual(members.map((n) => plain[n]).sort());
        expect(ranks.other).toBe(plain.other);
        for (const l of layers) expect(ranks[l.name]).toBeLessThanOrEqual(l.maxRank);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects layers with fewer ratios than maxRank, naming the layer', () => {
    expect(() => eva.allocate([{ name: 'h.0.mlp', explainedVarianceRatio: [0.5], maxRank: 2 }], 2)).toThrow(
      /layer "h\.0\.mlp".*1 explainedVarianceRatio entries but maxRank 2/,
    );
  });

  it('does not mutate its input', () => {
    const layers = [
      { name: 'a', explainedVarianceRatio: [0.5, 0.2], maxRank: 2, group: 'g' },
      { name: 'b', explainedVarianceRatio: [0.5, 0.2], maxRank: 2, group: 'g' },
    ];
    const copy = structuredClone(layers);
    eva.allocate(Object.freeze(layers.map((l) => Object.freeze(l))), 3);
    expect(layers).toEqual(copy);
  });
});

function padTo(values: ArrayLike<number>, length: number): number[] {
  const out = Array.from(values).slice(0, length);
  while (out.length < length) out.push(out.length > 0 ? out[out.length - 1]! : 0);
  return out;
}
