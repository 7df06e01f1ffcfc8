import { giveRepresentativesLargestRank } from './give-representatives-largest-rank';
import type { LayerSpectrum, RankAllocation, RankAllocator } from './rank-allocator';
import { readOptions, type RankAllocatorOptions } from './read-options';
import { toAllocation } from './to-allocation';
import { validateAllocatorInput } from './validate-allocator-input';

/**
 * `uniform`: the budget split as evenly as the caps allow (max-min fair water-filling), ignoring
 * the spectra.
 *
 * Every layer gets `min(maxRank, t)` for the largest level `t` the budget affords; what is left
 * (fewer units than there are uncapped layers) goes one unit each to the uncapped layers in name
 * order (code-unit order, ascending). Without binding caps this is `floor(budget / N)` each, plus
 * one for the first `budget mod N` names. The ranks sum to `min(budget, sum maxRank)`.
 * With `budget = N * r` and every `maxRank >= r`, every layer gets exactly `r`.
 * Takes no options.
 */
export function createUniformAllocator(options: RankAllocatorOptions = {}): RankAllocator {
  readOptions('uniform', options, []);
  return { allocate: allocateUniform };
}

function allocateUniform(layers: readonly LayerSpectrum[], budget: number): RankAllocation {
  validateAllocatorInput(layers, budget);
  const ranks = layers.map(() => 0);
  // Visit layers from the smallest cap up: a layer whose cap is below the even share of what is
  // left is filled to its cap and drops out; the rest share evenly.
  const byCap = layers.map((_, i) => i).sort((a, b) => cap(layers, a) - cap(layers, b) || byName(layers, a, b));
  let left = budget;
  let open = byCap.length;
  let k = 0;
  for (; k < byCap.length; k++) {
    const i = byCap[k] ?? 0;
    if (cap(layers, i) > Math.floor(left / open)) break;
    ranks[i] = cap(layers, i);
    left -= cap(layers, i);
    open -= 1;
  }
  const uncapped = byCap.slice(k).sort((a, b) => byName(layers, a, b));
  const share = open > 0 ? Math.floor(left / open) : 0;
  let extra = open > 0 ? left - share * open : 0;
  for (const i of uncapped) {
    // cap > share here, so share + 1 <= cap.
    ranks[i] = share + (extra > 0 ? 1 : 0);
    if (extra > 0) extra -= 1;
  }
  giveRepresentativesLargestRank(layers, ranks);
  return toAllocation(layers, ranks);
}

function cap(layers: readonly LayerSpectrum[], i: number): number {
  return layers[i]?.maxRank ?? 0;
}

function byName(layers: readonly LayerSpectrum[], a: number, b: number): number {
  const na = layers[a]?.name ?? '';
  const nb = layers[b]?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
