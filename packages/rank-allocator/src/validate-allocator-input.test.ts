import { describe, expect, it } from 'vitest';
import type { LayerSpectrum } from './rank-allocator';
import { RankAllocatorError } from './rank-allocator-error';
import { validateAllocatorInput } from './validate-allocator-input';

const ok = (name: string, extra: Partial<LayerSpectrum> = {}): LayerSpectrum => ({
  name,
  explainedVarianceRatio: [0.5, 0.25],
  maxRank: 2,
  ...extra,
});

function errorOf(fn: () => void): RankAllocatorError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RankAllocatorError) return e;
    throw e;
  }
  throw new Error('expected a RankAllocatorError');
}

describe('validateAllocatorInput', () => {
  it('accepts valid input, typed arrays and empty layer lists', () => {
    expect(() =>
      validateAllocatorInput([ok('a'), ok('b', { explainedVarianceRatio: new Float32Array([0.5, 0.5]) })], 3),
    ).not.toThrow();
    expect(() => validateAllocatorInput([], 0)).not.toThrow();
  });

  it.each([
    [
      'NaN ratio',
      [ok('h.1.q', { explainedVarianceRatio: [0.5, Number.NaN] })],
      2,
      'h.1.q',
      'explainedVarianceRatio',
      /explainedVarianceRatio\[1\] is NaN/,
    ],
    [
      'infinite ratio',
      [ok('x', { explainedVarianceRatio: [Infinity] })],
      2,
      'x',
      'explainedVarianceRatio',
      /\[0\] is Infinity/,
    ],
    [
      'negative ratio',
      [ok('x', { explainedVarianceRatio: [0.1, -1e-9] })],
      2,
      'x',
      'explainedVarianceRatio',
      /finite and >= 0/,
    ],
    [
      'unsorted ratios',
      [ok('x', { explainedVarianceRatio: [0.1, 0.2] })],
      2,
      'x',
      'explainedVarianceRatio',
      /sorted descending, but \[0\] = 0.1 < \[1\] = 0.2/,
    ],
    [
      'non-integer maxRank',
      [ok('mlp', { maxRank: 2.5 })],
      2,
      'mlp',
      'maxRank',
      /layer "mlp" \(layers\[0\]\): maxRank must be a non-negative integer, got 2.5/,
    ],
    ['negative maxRank', [ok('mlp', { maxRank: -1 })], 2, 'mlp', 'maxRank', /got -1/],
    [
      'duplicate name',
      [ok('a'), ok('b'), ok('a')],
      2,
      'a',
      'name',
      /duplicate layer name "a" at layers\[0\] and layers\[2\]/,
    ],
    ['empty name', [ok('')], 2, undefined, 'name', /layers\[0\]\.name must be a non-empty string/],
    ['negative budget', [ok('a')], -1, undefined, 'budget', /budget must be a non-negative integer .* got -1/],
    ['fractional budget', [ok('a')], 2.5, undefined, 'budget', /got 2.5; round it first/],
    ['NaN budget', [ok('a')], Number.NaN, undefined, 'budget', /got NaN/],
    ['representative without group', [ok('a', { representative: true })], 2, 'a', 'representative', /needs a group/],
    [
      'two representatives',
      [ok('a', { group: 'g', representative: true }), ok('b', { group: 'g', representative: true })],
      2,
      'b',
      'representative',
      /group "g" has 2 layers marked representative \("a", "b"\)/,
    ],
    [
      'representative with a smaller maxRank',
      [ok('a', { group: 'g', representative: true, maxRank: 1 }), ok('b', { group: 'g' })],
      2,
      'b',
      'maxRank',
      /representative "a" of group "g" has maxRank 1/,
    ],
  ] as const)('rejects %s, naming the layer and field', (_label, layers, budget, layer, field, message) => {
    const error = errorOf(() => validateAllocatorInput(layers, budget));
    expect(error.kind).toBe('INVALID_INPUT');
    expect(error.code).toBe('E_RANK_ALLOCATOR_INVALID_INPUT');
    expect(error.layer).toBe(layer);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('with requireRatios, checks the ratio count and that group members share the representative ratios', () => {
    expect(() => validateAllocatorInput([ok('a', { explainedVarianceRatio: [0.5] })], 1)).not.toThrow();
    const short = errorOf(() =>
      validateAllocatorInput([ok('a', { explainedVarianceRatio: [0.5] })], 1, { requireRatios: true }),
    );
    expect(short.message).toMatch(/1 explainedVarianceRatio entries but maxRank 2/);
    const differ = errorOf(() =>
      validateAllocatorInput(
        [ok('k', { group: 'qkv' }), ok('q', { group: 'qkv', explainedVarianceRatio: [0.5, 0.2] })],
        2,
        { requireRatios: true },
      ),
    );
    expect(differ.layer).toBe('q');
    expect(differ.message).toMatch(/explainedVarianceRatio\[1\] = 0.2 but its group "qkv" representative "k" has 0.25/);
    // A member with a smaller maxRank only has to agree on the entries it uses.
    expect(() =>
      validateAllocatorInput(
        [ok('k', { group: 'g' }), ok('q', { group: 'g', maxRank: 1, explainedVarianceRatio: [0.5] })],
        2,
        {
          requireRatios: true,
        },
      ),
    ).not.toThrow();
  });

  it('rejects a non-array layers argument', () => {
    expect(() => validateAllocatorInput({} as never, 1)).toThrow(/layers must be an array/);
  });
});
