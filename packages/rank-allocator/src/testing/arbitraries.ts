// fast-check arbitraries for allocator inputs, used by the conformance suite and the package's tests.
import fc from 'fast-check';
import type { LayerSpectrum } from '../rank-allocator';

/** Names over a tiny alphabet mixing cases, so code-unit order ('B' < 'a') and shared prefixes matter. */
const layerName: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom('a', 'b', 'B', '.', '0'),
  minLength: 1,
  maxLength: 4,
});

/** Descending ratios on a coarse grid (many exact ties) or free doubles. */
const ratios = (length: number): fc.Arbitrary<number[]> =>
  fc
    .oneof(
      fc.array(
        fc.integer({ min: 0, max: 5 }).map((v) => v / 20),
        { minLength: length, maxLength: length },
      ),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: length, maxLength: length }),
    )
    .map((values) => [...values].sort((a, b) => b - a));

/** One layer: maxRank 0..6, exactly maxRank (or a few more) ratios, no group. */
const layerBody = fc
  .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 2 }))
  .chain(([maxRank, extra]) => ratios(maxRank + extra).map((r) => ({ maxRank, explainedVarianceRatio: r })));

/** 0..8 ungrouped layers with unique names. */
const layersArb: fc.Arbitrary<LayerSpectrum[]> = fc
  .uniqueArray(layerName, { minLength: 0, maxLength: 8 })
  .chain((names) =>
    fc.tuple(...names.map(() => layerBody)).map((bodies) => names.map((name, i) => ({ name, ...bodies[i]! }))),
  );

/** Layers plus a budget in [0, sum maxRank + 3]. */
export const problemArb: fc.Arbitrary<[LayerSpectrum[], number]> = layersArb.chain((layers) => {
  const total = layers.reduce((s, l) => s + l.maxRank, 0);
  return fc.tuple(fc.constant(layers), fc.integer({ min: 0, max: total + 3 }));
});

/** The same array in a random order. */
export const permutationOf = <T>(items: readonly T[]): fc.Arbitrary<T[]> =>
  fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });

/**
 * Layers in up to two identical-input groups ('g1', 'g2') or none; members of a group share one
 * descending ratio array. Representatives are left to the default rule (largest maxRank, then name).
 */
export const groupedProblemArb: fc.Arbitrary<[LayerSpectrum[], number]> = fc
  .tuple(fc.uniqueArray(layerName, { minLength: 1, maxLength: 8 }), ratios(6), ratios(6), ratios(6))
  .chain(([names, g1, g2, solo]) =>
    fc
      .tuple(
        fc.array(
          fc.tuple(fc.constantFrom<'g1' | 'g2' | undefined>('g1', 'g2', undefined), fc.integer({ min: 0, max: 6 })),
          {
            minLength: names.length,
            maxLength: names.length,
          },
        ),
        fc.integer({ min: 0, max: 8 * 6 + 3 }),
      )
      .map(([assign, budget]): [LayerSpectrum[], number] => [
        names.map((name, i) => {
          const [group, maxRank] = assign[i]!;
          const explainedVarianceRatio = group === 'g1' ? g1 : group === 'g2' ? g2 : solo;
          return group === undefined
            ? { name, explainedVarianceRatio, maxRank }
            : { name, explainedVarianceRatio, maxRank, group };
        }),
        budget,
      ]),
  );
