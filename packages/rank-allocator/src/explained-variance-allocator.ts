import { giveRepresentativesLargestRank } from './give-representatives-largest-rank';
import type { LayerSpectrum, RankAllocation, RankAllocator } from './rank-allocator';
import { readOptions, type RankAllocatorOptions } from './read-options';
import { takeLargestComponents } from './take-largest-components';
import { toAllocation } from './to-allocation';
import { validateAllocatorInput } from './validate-allocator-input';

/**
 * `explainedVariance`: EVA's rank redistribution (EVA-SPEC step 4; PEFT `_get_rank_distribution`).
 *
 * Candidates are `(L, explainedVarianceRatio_L[j])` for every layer `L` and `j < maxRank_L`. The
 * `budget` candidates with the largest ratio are taken and `rank_L` is the number of `L`'s
 * candidates taken, so `rank_L <= maxRank_L` and the ranks sum to `min(budget, sum maxRank)`.
 *
 * Ties (equal ratios) go to the lower component index `j`, then to the layer name that comes first
 * in code-unit order, so the result does not depend on input order.
 *
 * Groups: every member of an identical-input group is its own layer with its own candidates, and
 * carries the representative's ratios (validated). Afterwards the representative swaps ranks with
 * the member holding the group's largest rank (lowest name among several), so it ends with the
 * largest rank in its group.
 *
 * `rho = 1` (`maxRank_L = r` for all, `budget = N * r`) takes every candidate: `r` everywhere.
 * Takes no options.
 */
export function createExplainedVarianceAllocator(options: RankAllocatorOptions = {}): RankAllocator {
  readOptions('explainedVariance', options, []);
  return { allocate: allocateExplainedVariance };
}

function allocateExplainedVariance(layers: readonly LayerSpectrum[], budget: number): RankAllocation {
  validateAllocatorInput(layers, budget, { requireRatios: true });
  const ranks = takeLargestComponents(layers, budget);
  giveRepresentativesLargestRank(layers, ranks);
  return toAllocation(layers, ranks);
}
