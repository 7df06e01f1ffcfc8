import { giveRepresentativesLargestRank } from './give-representatives-largest-rank';
import type { LayerSpectrum, RankAllocation, RankAllocator } from './rank-allocator';
import { RankAllocatorError } from './rank-allocator-error';
import { readOptions } from './read-options';
import { takeLargestComponents } from './take-largest-components';
import { toAllocation } from './to-allocation';
import { validateAllocatorInput } from './validate-allocator-input';

/** Options of the `varianceThreshold` allocator. */
export interface VarianceThresholdOptions {
  /** Cumulative explained-variance ratio each layer aims for, in (0, 1]. Default 0.9. */
  readonly threshold?: number;
  /**
   * Spend the whole budget (default `true`): layers below it grow by their next-largest
   * components. With `false` the ranks stop at what the threshold asks for (trimmed to the budget
   * when they ask for more), so they may sum to less than the budget.
   */
  readonly fillBudget?: boolean;
}

const DEFAULT_THRESHOLD = 0.9;
const THRESHOLD_SLACK = 1e-12;

/**
 * `varianceThreshold`: each layer asks for the smallest rank `m_L <= maxRank_L` whose cumulative
 * ratio `sum_{j < m_L} ratio_L[j]` reaches `threshold` (within 1e-12 for float round-off;
 * `maxRank_L` when it never does), then the
 * asks are fitted to the budget by one ranking of all candidates `(L, j)`, `j < maxRank_L`:
 *   1. asked-for components (`j < m_L`) come before the others,
 *   2. then larger ratio, then lower `j`, then layer name ascending in code-unit order (as
 *      `explainedVariance`),
 * and the first `budget` candidates are taken. So when the asks exceed the budget they are trimmed
 * by dropping the asked-for components with the smallest ratios; when they fall short, the
 * remaining budget goes to the largest components not asked for (unless `fillBudget: false`). The
 * ranks sum to `min(budget, sum maxRank)` (with `fillBudget: false`: `min(budget, sum m_L)`).
 * Groups are handled as in `explainedVariance`.
 */
export function createVarianceThresholdAllocator(options: VarianceThresholdOptions = {}): RankAllocator {
  const record = readOptions('varianceThreshold', options, ['threshold', 'fillBudget']);
  const threshold = record.threshold ?? DEFAULT_THRESHOLD;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0 || threshold > 1) {
    throw new RankAllocatorError(
      'INVALID_OPTIONS',
      `varianceThreshold: threshold must be a number in (0, 1], got ${String(threshold)}; e.g. 0.9 keeps 90% of each layer's variance`,
      { field: 'threshold' },
    );
  }
  const fillBudget = record.fillBudget ?? true;
  if (typeof fillBudget !== 'boolean') {
    throw new RankAllocatorError(
      'INVALID_OPTIONS',
      `varianceThreshold: fillBudget must be a boolean, got ${typeof fillBudget}`,
      { field: 'fillBudget' },
    );
  }
  return {
    allocate(layers: readonly LayerSpectrum[], budget: number): RankAllocation {
      validateAllocatorInput(layers, budget, { requireRatios: true });
      const asks = layers.map((layer) => thresholdRank(layer, threshold));
      const fitted = fillBudget ? layers : layers.map((layer, i) => ({ ...layer, maxRank: asks[i] ?? 0 }));
      const ranks = takeLargestComponents(fitted, budget, asks);
      giveRepresentativesLargestRank(layers, ranks);
      return toAllocation(layers, ranks);
    },
  };
}

/**
 * Smallest m in [0, maxRank] with cumulative ratio >= threshold; maxRank when never reached.
 * The running float64 sum gets a 1e-12 allowance so that e.g. 0.6 + 0.3 (= 0.8999999999999999)
 * reaches 0.9 as a reader would expect.
 */
function thresholdRank(layer: LayerSpectrum, threshold: number): number {
  let cumulative = 0;
  for (let m = 0; m < layer.maxRank; m++) {
    cumulative += layer.explainedVarianceRatio[m] ?? 0;
    if (cumulative + THRESHOLD_SLACK >= threshold) return m + 1;
  }
  return layer.maxRank;
}
