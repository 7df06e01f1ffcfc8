/** Wall-clock seconds EVA spent in each phase of its loop (they add up to at most `EvaState.seconds`). */
export interface EvaPhaseTimes {
  /** Forward passes, including gathering each fed layer's kept rows (the model's work). */
  readonly forwardSeconds: number;
  /** Incremental PCA updates and convergence tracking (with worker threads: merging the shards' states). */
  readonly pcaSeconds: number;
  /** Rank redistribution and the convergence decisions after every step. */
  readonly allocationSeconds: number;
}

export type EvaPhase = 'forward' | 'pca' | 'allocation';

/**
 * Accumulates wall time per phase. Phases may nest (the PCA sinks run inside a capture step): time
 * spent in an inner phase is charged to it and not to the enclosing one, so the totals never overlap.
 */
export class PhaseClock {
  private readonly totals: Record<EvaPhase, number> = { forward: 0, pca: 0, allocation: 0 };
  private nested = 0;

  /** Runs `fn` (synchronous or async) and charges its time, minus nested phases, to `phase`. */
  measure<T>(phase: EvaPhase, fn: () => T): T {
    const start = performance.now();
    const nestedBefore = this.nested;
    const settle = () => {
      const elapsed = performance.now() - start;
      this.totals[phase] += elapsed - (this.nested - nestedBefore);
      this.nested = nestedBefore + elapsed;
    };
    let result: T;
    try {
      result = fn();
    } catch (error) {
      settle();
      throw error;
    }
    if (result instanceof Promise) return result.finally(settle) as T;
    settle();
    return result;
  }

  /** The totals so far, in seconds. */
  snapshot(): EvaPhaseTimes {
    return {
      forwardSeconds: this.totals.forward / 1000,
      pcaSeconds: this.totals.pca / 1000,
      allocationSeconds: this.totals.allocation / 1000,
    };
  }
}
