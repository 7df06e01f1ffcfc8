/**
 * One layer's spectrum as a rank allocator sees it: plain numbers, no tensors.
 *
 * EVA fills this from each layer's incremental PCA (`explainedVarianceRatio` = S^2 / total
 * centred variance, sorted descending) and `maxRank = min(roundHalfEven(r * rho), limit)`.
 */
export interface LayerSpectrum {
  /** Unique layer name, e.g. the module path `"h.0.attn.c_attn"`. */
  readonly name: string;
  /**
   * Fraction of the layer's total variance explained by each component, sorted descending,
   * finite and >= 0. Allocators that rank components (`explainedVariance`, `varianceThreshold`)
   * need at least `maxRank` entries; `uniform` ignores the values (they may be empty).
   */
  readonly explainedVarianceRatio: ArrayLike<number>;
  /** Largest rank this layer may receive: a non-negative integer (0 = no adapter). */
  readonly maxRank: number;
  /**
   * Identical-input group (q/k/v projections, gate/up): layers with the same `group` share one
   * SVD. Every member counts as its own layer; its ratios must equal the representative's on the
   * entries it uses, and the representative ends with the group's largest rank.
   */
  readonly group?: string;
  /**
   * Marks the group's representative (the layer whose SVD the group shares). At most one per
   * group, and it must have the group's largest `maxRank`. Without a mark, the representative is
   * the member with the largest `maxRank`, ties going to the lowest name in code-unit order.
   */
  readonly representative?: boolean;
}

/** Ranks out: one non-negative integer per input layer name. */
export type RankAllocation = Record<string, number>;

/**
 * The rank-allocation plug point. Implementations are pure and deterministic: the result depends
 * only on the set of layers (not their order) and the budget, and the input is never mutated.
 * Every rank is an integer in `[0, maxRank]` and the ranks sum to at most `budget`.
 */
export interface RankAllocator {
  /**
   * Ranks for `layers` within `budget` (the total rank to share, e.g. EVA's `r * number of layers`).
   * @throws RankAllocatorError (`INVALID_INPUT`) for input that breaks the rules of {@link validateAllocatorInput}.
   */
  allocate(layers: readonly LayerSpectrum[], budget: number): RankAllocation;
}
