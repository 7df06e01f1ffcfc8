import type { LayerSpectrum, RankAllocation } from './rank-allocator';

/** `{ [layer.name]: ranks[i] }` in input order; `Object.fromEntries` keeps names like `__proto__` as own keys. */
export function toAllocation(layers: readonly LayerSpectrum[], ranks: readonly number[]): RankAllocation {
  return Object.fromEntries(layers.map((layer, i) => [layer.name, ranks[i] ?? 0]));
}
